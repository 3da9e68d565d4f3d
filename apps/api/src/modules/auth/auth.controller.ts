import { Controller, Header, Req, Res } from '@nestjs/common';
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
import type { z } from 'zod';
import { Input, Route } from '../../http/route.js';
import { ClientAddress, CurrentPrincipal, type Principal } from './access.decorator.js';
import { AuthService } from './auth.service.js';
import { deviceCookie } from './device-token.js';
import { EmailVerificationService } from './email-verification.service.js';

@Controller('v1')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly verification: EmailVerificationService,
  ) {}

  @Route({
    method: 'POST',
    path: 'auth/register',
    access: 'public',
    tag: 'Auth',
    summary: 'Create an account',
    body: RegisterRequestSchema,
    status: 201,
    response: UserResponseSchema,
    errors: ['email_taken', 'rate_limited'],
  })
  async register(@Input() body: z.output<typeof RegisterRequestSchema>, @ClientAddress() address: string): Promise<UserResponse> {
    return { user: await this.auth.register(body, address) };
  }

  @Route({
    method: 'POST',
    path: 'auth/login',
    access: 'public',
    tag: 'Auth',
    summary: 'Sign in: a session token for the settings page (`client: "web"`) or the browser extension (`client: "extension"`: read and report only)',
    body: LoginRequestSchema,
    response: LoginResponseSchema,
    errors: ['invalid_credentials', 'rate_limited'],
  })
  // The answer carries a secret (a new key or a session token): never stored by a cache.
  @Header('Cache-Control', 'no-store')
  async login(
    @Input() body: z.output<typeof LoginRequestSchema>,
    @ClientAddress() address: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<LoginResponse> {
    const answer = await this.auth.login(body, address, deviceCookie(request.headers.cookie));
    // The device cookie marks this browser as known (HttpOnly: no script reads it); the same
    // value is in the body for clients without cookies.
    reply.header('set-cookie', this.auth.devices.cookie(answer.deviceToken));
    return answer;
  }

  @Route({
    method: 'POST',
    path: 'auth/verify-email',
    access: 'public',
    tag: 'Auth',
    summary: 'Confirm an e-mail address with the token of its confirmation link',
    body: VerifyEmailRequestSchema,
    response: UserResponseSchema,
    errors: ['invalid_token'],
  })
  async verifyEmail(@Input() body: z.output<typeof VerifyEmailRequestSchema>): Promise<UserResponse> {
    return { user: await this.verification.verify(body.token) };
  }

  @Route({
    method: 'POST',
    path: 'auth/verify-email/resend',
    access: 'session',
    tag: 'Auth',
    summary: 'Send the confirmation e-mail again (3 an hour)',
    status: 202,
  })
  async resendVerification(@CurrentPrincipal() principal: Principal): Promise<void> {
    await this.verification.resend(principal.userId);
  }

  @Route({ method: 'POST', path: 'auth/logout', access: 'session-or-extension', tag: 'Auth', summary: 'End this session', status: 204 })
  async logout(@CurrentPrincipal() principal: Principal): Promise<void> {
    if (principal.sessionId) await this.auth.logout(principal.sessionId);
  }

  @Route({ method: 'GET', path: 'me', access: 'session-or-extension', tag: 'Auth', summary: 'The signed-in user', response: UserResponseSchema })
  async me(@CurrentPrincipal() principal: Principal): Promise<UserResponse> {
    return { user: await this.auth.me(principal.userId) };
  }
}
