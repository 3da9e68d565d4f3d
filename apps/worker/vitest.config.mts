// The NestJS apps share one vitest configuration (@tradetally/tsconfig/vitest.nest.mjs).
export { default } from '@tradetally/tsconfig/vitest.nest.mjs';
