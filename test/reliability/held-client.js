// A client process for the orphan test (plain JavaScript, so it starts fast):
//   node test/reliability/held-client.js <endpoint> <target> [documentName]
// StartSession, open the data channel, then send a terminal Size every 300 ms (client activity, so the
// idle timer cannot fire while this process lives). Prints "SESSION <id>" once the shell's first output
// arrived, then runs until it is killed. Frames are encoded inline (session-manager-spec.md section 4).

const { createHash, randomUUID } = require("node:crypto");
const { SSMClient, StartSessionCommand } = require("@aws-sdk/client-ssm");
const WebSocket = require("ws");

function frame(sequenceNumber, payloadType, payload) {
  const out = Buffer.alloc(120 + payload.length);
  out.writeUInt32BE(116, 0);
  out.fill(0x20, 4, 36);
  out.write("input_stream_data", 4, "latin1");
  out.writeUInt32BE(1, 36);
  const now = Date.now();
  out.writeUInt32BE(Math.floor(now / 2 ** 32), 40);
  out.writeUInt32BE(now % 2 ** 32, 44);
  out.writeUInt32BE(0, 48);
  out.writeUInt32BE(sequenceNumber, 52);
  const id = randomUUID().replace(/-/g, "");
  out.write(id.slice(16), 64, "hex");
  out.write(id.slice(0, 16), 72, "hex");
  createHash("sha256").update(payload).digest().copy(out, 80);
  out.writeUInt32BE(payloadType, 112);
  out.writeUInt32BE(payload.length, 116);
  payload.copy(out, 120);
  return out;
}

async function main() {
  const [endpoint, target, documentName] = process.argv.slice(2);
  const ssm = new SSMClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  const started = await ssm.send(new StartSessionCommand({ Target: target, DocumentName: documentName }));
  const socket = new WebSocket(started.StreamUrl, { perMessageDeflate: false });
  await new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  });
  socket.send(
    JSON.stringify({
      MessageSchemaVersion: "1.0",
      RequestId: randomUUID(),
      TokenValue: started.TokenValue,
      ClientId: randomUUID(),
      ClientVersion: "1.2.0.0",
    }),
  );
  await new Promise((resolve) => socket.on("message", (_d, isBinary) => isBinary && resolve()));
  let seq = 0;
  const resize = () => socket.send(frame(seq++, 3, Buffer.from(JSON.stringify({ cols: 100, rows: 30 }))));
  resize();
  setInterval(resize, 300);
  process.stdout.write(`SESSION ${started.SessionId}\n`);
}

main().catch((error) => {
  process.stderr.write(`held-client: ${error?.message}\n`);
  process.exit(1);
});
