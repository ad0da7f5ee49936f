// The agent container's health check: healthy when the emulator answers on 127.0.0.1:$SSM_CONFORMANCE_PORT
// and a managed node's agent is connected (PingStatus Online). An unsigned request is answered as the test
// principal; with --strict-sigv4 it is refused, and an answer at all then counts as healthy.

const port = process.env.SSM_CONFORMANCE_PORT || "4590";

function unhealthy(why) {
  console.error(`unhealthy: ${why}`);
  process.exit(1);
}

fetch(`http://127.0.0.1:${port}/`, {
  method: "POST",
  headers: {
    "content-type": "application/x-amz-json-1.1",
    "x-amz-target": "AmazonSSM.DescribeInstanceInformation",
  },
  body: "{}",
  signal: AbortSignal.timeout(4000),
})
  .then(async (response) => {
    const body = await response.text();
    if (response.status === 400 || response.status === 403) {
      if (/Signature|Security|Token|AccessKey/i.test(body)) return console.log("healthy (strict SigV4)");
    }
    if (!response.ok) return unhealthy(`HTTP ${response.status} ${body.slice(0, 200)}`);
    const nodes = JSON.parse(body).InstanceInformationList || [];
    const online = nodes.filter((node) => node.PingStatus === "Online").map((node) => node.InstanceId);
    if (online.length === 0) return unhealthy("no managed node is Online yet");
    console.log(`healthy: ${online.join(" ")} Online`);
  })
  .catch((error) => unhealthy(error.message));
