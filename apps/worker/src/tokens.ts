/** Injection tokens of the providers made by factories. */
export const WORKER_CONFIG = Symbol('WORKER_CONFIG');
export const DB = Symbol('DB');
