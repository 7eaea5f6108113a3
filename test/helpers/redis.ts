import { createConnection } from 'node:net';

/** True when something on host:port answers PING with PONG within a second (the tests' Redis is 127.0.0.1:6379). */
export function redisAnswers(host = '127.0.0.1', port = 6379): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}
