import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthController } from './auth.controller.js';
import { AuthGuard } from './auth.guard.js';
import { AuthService } from './auth.service.js';
import { CredentialsService } from './credentials.service.js';
import { EmailVerificationService } from './email-verification.service.js';

@Global()
@Module({
  controllers: [AuthController],
  providers: [AuthService, CredentialsService, EmailVerificationService, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [CredentialsService],
})
export class AuthModule {}
