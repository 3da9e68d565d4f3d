/** Injection tokens of the providers made by factories. */
export const WORKER_CONFIG = Symbol('WORKER_CONFIG');
export const DB = Symbol('DB');
/** The lifecycle rules' data (a LifecycleStore). */
export const LIFECYCLE_STORE = Symbol('LIFECYCLE_STORE');
