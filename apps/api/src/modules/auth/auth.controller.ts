import { Body, Controller, Get, HttpCode, Post, Header, Req, Res } from '@nestjs/common';
import {
  LoginRequestSchema,
  LoginResponseSchema,
  RegisterRequestSchema,
  VerifyEmailRequestSchema,
  type LoginResponse,
  type UserResponse,
  UserResponseSchema,
} from '@tradetally/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiContract } from '../../common/openapi.js';
import { parseWith } from '../../common/validation.js';
import { Access, ClientAddress, CurrentPrincipal, ExtensionAllowed, type Principal } from './access.decorator.js';
import { AuthService } from './auth.service.js';
import { deviceCookie } from './device-token.js';
import { EmailVerificationService } from './email-verification.service.js';

@Controller('v1')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly verification: EmailVerificationService,
  ) {}

  @Post('auth/register')
  @Access('public')
  @ApiContract({
    tag: 'Auth',
    summary: 'Create an account',
    body: RegisterRequestSchema,
    status: 201,
    response: UserResponseSchema,
    errors: ['validation_failed', 'email_taken', 'rate_limited'],
  })
  async register(@Body() body: unknown, @ClientAddress() address: string): Promise<UserResponse> {
    return { user: await this.auth.register(parseWith(RegisterRequestSchema, body), address) };
  }

  @Post('auth/login')
  @HttpCode(200)
  @Access('public')
  @ApiContract({
    tag: 'Auth',
    summary: 'Sign in: a session token for the settings page (`client: "web"`) or the browser extension (`client: "extension"`: read and report only)',
    body: LoginRequestSchema,
    response: LoginResponseSchema,
    errors: ['validation_failed', 'invalid_credentials', 'rate_limited'],
  })
  // The answer carries a secret (a new key or a session token): never stored by a cache.
  @Header('Cache-Control', 'no-store')
  async login(
    @Body() body: unknown,
    @ClientAddress() address: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<LoginResponse> {
    const answer = await this.auth.login(parseWith(LoginRequestSchema, body), address, deviceCookie(request.headers.cookie));
    // The device cookie marks this browser as known (HttpOnly: no script reads it); the same
    // value is in the body for clients without cookies.
    reply.header('set-cookie', this.auth.devices.cookie(answer.deviceToken));
    return answer;
  }

  @Post('auth/verify-email')
  @HttpCode(200)
  @Access('public')
  @ApiContract({
    tag: 'Auth',
    summary: 'Confirm an e-mail address with the token of its confirmation link',
    body: VerifyEmailRequestSchema,
    response: UserResponseSchema,
    errors: ['validation_failed', 'invalid_token'],
    auth: false,
  })
  async verifyEmail(@Body() body: unknown): Promise<UserResponse> {
    return { user: await this.verification.verify(parseWith(VerifyEmailRequestSchema, body).token) };
  }

  @Post('auth/verify-email/resend')
  @HttpCode(202)
  @Access('session')
  @ApiContract({
    tag: 'Auth',
    summary: 'Send the confirmation e-mail again (3 an hour)',
    status: 202,
    errors: ['unauthenticated', 'session_required', 'insufficient_scope', 'rate_limited'],
  })
  async resendVerification(@CurrentPrincipal() principal: Principal): Promise<void> {
    await this.verification.resend(principal.userId);
  }

  @Post('auth/logout')
  @HttpCode(204)
  @Access('session')
  @ExtensionAllowed()
  @ApiContract({ tag: 'Auth', summary: 'End this session', status: 204, errors: ['unauthenticated', 'session_required'] })
  async logout(@CurrentPrincipal() principal: Principal): Promise<void> {
    if (principal.sessionId) await this.auth.logout(principal.sessionId);
  }

  @Get('me')
  @Access('session')
  @ExtensionAllowed()
  @ApiContract({ tag: 'Auth', summary: 'The signed-in user', response: UserResponseSchema, errors: ['unauthenticated', 'session_required'] })
  async me(@CurrentPrincipal() principal: Principal): Promise<UserResponse> {
    return { user: await this.auth.me(principal.userId) };
  }
}
