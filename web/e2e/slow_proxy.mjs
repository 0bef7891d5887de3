// A loopback TCP proxy that lets requests reach the server only slowly, so
// an upload is still on the wire when the test acts on it. (Chromium's own
// network throttling slows the progress events but not always the bytes.)
import net from "node:net";

export async function slowProxy(targetPort, bytesPerSecond) {
  const sockets = new Set();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, "127.0.0.1");
    sockets.add(client).add(upstream);
    const slice = Math.max(1, Math.floor(bytesPerSecond / 20)); // 20 writes a second
    let queue = Buffer.alloc(0);
    let timer = null;
    const drip = () => {
      if (queue.length === 0) {
        timer = null;
        client.resume();
        return;
      }
      upstream.write(queue.subarray(0, slice));
      queue = queue.subarray(slice);
      timer = setTimeout(drip, 50);
    };
    client.on("data", (chunk) => {
      queue = Buffer.concat([queue, chunk]);
      client.pause(); // backpressure: the browser's send buffer fills up
      if (!timer) drip();
    });
    upstream.on("data", (chunk) => client.write(chunk));
    const close = () => {
      clearTimeout(timer);
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("close", close).on("error", close);
    upstream.on("close", close).on("error", close);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(r));
    },
  };
}
