// The service being edited: a plain Node.js HTTP server run on the host by tsstack. It answers with what
// the containerised database holds, and reports healthy once the database answers it.
import http from 'node:http';

const port = Number(process.env.PORT || 18090);
const dbUrl = process.env.DB_URL || 'http://127.0.0.1:15480/record.json';

function fromDb() {
  return new Promise((resolve, reject) => {
    http
      .get(dbUrl, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () =>
          res.statusCode === 200 ? resolve(body.trim()) : reject(new Error(`db said ${res.statusCode}`)),
        );
      })
      .on('error', reject);
  });
}

const server = http.createServer(async (req, res) => {
  try {
    const record = await fromDb();
    if (req.url === '/health') return res.end('ok\n');
    res.setHeader('content-type', 'application/json');
    res.end(`{"api":"hello from the host","db":${record}}\n`);
  } catch (err) {
    res.statusCode = 503;
    res.end(`database not reachable: ${err.message}\n`);
  }
});

// Every address: containers reach it as host.docker.internal.
server.listen(port, '0.0.0.0', () => console.log(`api listening on ${port}, database at ${dbUrl}`));

process.on('SIGTERM', () => {
  console.log('api: SIGTERM, closing');
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
});
