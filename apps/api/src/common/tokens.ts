/** Injection tokens of the providers made by factories. */
export const APP_CONFIG = Symbol('APP_CONFIG');
export const DB = Symbol('DB');
export const REDIS = Symbol('REDIS');
export const KEY_HASHER = Symbol('KEY_HASHER');
