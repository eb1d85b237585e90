// A minimal authenticated JSON request to the test API server (the controller will use @kubernetes/client-node).
import { Agent, request } from 'node:https';

/**
 * A connection per request: on reused keep-alive connections the API server now and then answered a list with a
 * plain-text `400 Bad Request` (seen under load in the process node's service sync and heartbeat).
 */
const agent = new Agent({ keepAlive: false });

export interface KubeResponse {
  status: number;
  body: Record<string, unknown>;
}

export function kubeRequest(server: string, token: string, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<KubeResponse> {
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(`${server}${path}`, {
      method, rejectUnauthorized: false, agent,
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', ...(data ? { 'Content-Type': contentType } : {}) },
    }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => { text += d.toString(); });
      res.on('end', () => {
        let parsed: Record<string, unknown> = {};
        try { parsed = JSON.parse(text) as Record<string, unknown>; } catch { parsed = { text }; }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}
