import { Inject, Module } from '@nestjs/common';
import { ApiError } from '../../common/api-error.js';
import { APP_CONFIG } from '../../common/tokens.js';
import type { AppConfig } from '../../config.js';
import { ProblemsController } from './problems.controller.js';

/** The problem pages, and the address every problem's `type` points at (this instance's PUBLIC_URL). */
@Module({ controllers: [ProblemsController] })
export class ProblemsModule {
  constructor(@Inject(APP_CONFIG) config: Pick<AppConfig, 'PUBLIC_URL'>) {
    ApiError.usePublicUrl(config.PUBLIC_URL);
  }
}
