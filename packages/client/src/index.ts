export {
  TradeTallyClient,
  type TradeTallyClientOptions,
  type FetchLike,
  type RequestOptions,
  type TradeQuery,
  type KeyQuery,
  type NotificationQuery,
} from './client.js';
export { TradeTallyError, type ClientErrorCode, maskKeys, maskSecret, parseRetryAfter } from './errors.js';
export { autoRotate, rotationDue, type AutoRotateOptions, type AutoRotator, type KeyStore, type RotationCheck } from './auto-rotate.js';
