import { request } from 'node:http';

// A request sent exactly as written: inject() and fetch() resolve `..` and percent-encoded dots
// before the server sees them, and a probe does not.

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function rawRequest(baseUrl: string, method: string, path: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** The log lines at error level or above (pino: error 50, fatal 60) in a slice of JSON log text. */
export function errorLines(logText: string): string[] {
  return logText.split('\n').filter((line) => /"level":(5|6)\d/.test(line));
}
