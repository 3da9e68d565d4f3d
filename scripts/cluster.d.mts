// Types of scripts/cluster.mjs for the TypeScript tests that drive a cluster.
import type { ChildProcess } from 'node:child_process';

export const DEFAULT_DATABASE_URL: string;

export interface ClusterOptions {
  apis?: number;
  workers?: number;
  /** nginx's loopback port (default 8080). */
  port?: number;
  /** The first API's port; the others follow (default 3101). */
  basePort?: number;
  databaseUrl?: string;
  redisUrl?: string;
  /** 'quiet' keeps the processes' output in `output` instead of printing it. */
  log?: 'inherit' | 'quiet';
  env?: Record<string, string>;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Cluster {
  url: string;
  prefix: string;
  databaseUrl: string;
  output: string[];
  apis: Array<{ port: number; child: ChildProcess }>;
  workers: ChildProcess[];
  nginx: ChildProcess;
  restartApi(index: number): Promise<Exit>;
  stop(): Promise<Exit[] | undefined>;
}

export function ensureDatabase(url: string): Promise<void>;
export function nginxConfig(options: { prefix: string; port: number; apiPorts: number[] }): string;
export function startCluster(options?: ClusterOptions): Promise<Cluster>;
