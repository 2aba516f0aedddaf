/** The redis-server on PATH (its version line), or why there is none. */
export declare const redisServer: { found?: string; missing?: string };

export interface RedisProcess {
  url: string;
  port: number;
  /** Stops it (its data is gone: no persistence). */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
  /** Stops it for good and removes its folder. */
  dispose(): Promise<void>;
}

/** Starts a redis-server on a free loopback port with a temp dir and no persistence. */
export declare function startRedis(): Promise<RedisProcess>;
