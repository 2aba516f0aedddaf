import type { Redis } from 'ioredis';
import type { PluginStateListener, PluginStateSubscription } from '../contracts/plugin-state-store.interface.js';
import { deliver } from './redis-messages.js';

/**
 * Follows the cluster's channel on a connection of its own (a subscribed connection sends no other commands),
 * subscribed again on each reconnect. The listener is up only while both connections are: the reconcile that follows
 * `status(true)` reads through the command connection `client`.
 */
export function subscribeTo(
  client: Redis,
  channel: string,
  listener: PluginStateListener,
  closed: () => void,
): PluginStateSubscription {
  const subscriber = client.duplicate({ lazyConnect: false, autoResubscribe: false });
  let subscribed = false;
  let reported = false;
  const update = () => {
    const up = subscribed && client.status === 'ready';
    if (up !== reported) listener.status((reported = up));
  };
  subscriber.on('error', () => undefined); // seen as `close`; ioredis would print unhandled error events
  subscriber.on('ready', () => {
    subscriber.subscribe(channel).then(
      () => ((subscribed = true), update()),
      () => subscriber.disconnect(true), // try again on a new connection
    );
  });
  subscriber.on('close', () => ((subscribed = false), update()));
  subscriber.on('message', (_channel: string, message: string) => deliver(listener, message));
  client.on('ready', update);
  client.on('close', update);
  if (client.status === 'wait') client.connect().catch(() => undefined);
  return {
    close: async () => {
      closed();
      client.off('ready', update);
      client.off('close', update);
      subscriber.removeAllListeners('message');
      subscriber.disconnect();
    },
  };
}
