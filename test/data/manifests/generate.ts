/**
 * Generators for large synthetic inputs (written to os.tmpdir() by the tests, never committed).
 * Documents look like real application manifests: a Deployment, a Service and a NetworkPolicy
 * per application, ~1.5 kB per application.
 */
import { createWriteStream } from 'node:fs';

function app(i: number): string {
  const ns = `team-${i % 97}`;
  return `---
# application ${i}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-${i}
  namespace: ${ns}
  labels:
    app.kubernetes.io/name: app-${i}
    app.kubernetes.io/part-of: shop
  annotations:
    deployment.kubernetes.io/revision: "3"
spec:
  replicas: ${(i % 5) + 1}
  selector:
    matchLabels:
      app.kubernetes.io/name: app-${i}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: app-${i}
        tier: ${i % 2 ? 'backend' : 'frontend'}
    spec:
      containers:
        - name: main
          image: "registry.example.com/shop/app-${i}:1.${i % 40}.0"
          args: ["--port", "8080", "--metrics-port=9090"]
          ports:
            - containerPort: 8080
              name: http
            - containerPort: 9090
              name: metrics
              protocol: TCP
          env:
            - name: LOG_LEVEL
              value: info
            - name: CONFIG
              value: '{"feature": true, "limit": ${i}}'
          resources:
            requests: {cpu: 100m, memory: 128Mi}
            limits: {cpu: "1", memory: 512Mi}
---
apiVersion: v1
kind: Service
metadata:
  name: app-${i}
  namespace: ${ns}
spec:
  selector:
    app.kubernetes.io/name: app-${i}
  ports:
    - name: http
      port: 80
      targetPort: http
    - name: metrics
      port: 9090
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: app-${i}-ingress
  namespace: ${ns}
spec:
  podSelector:
    matchLabels:
      app.kubernetes.io/name: app-${i}
  policyTypes: [Ingress, Egress]
  ingress:
    - from:
        - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ${ns}}}
          podSelector:
            matchExpressions:
              - {key: tier, operator: In, values: [frontend]}
        - ipBlock:
            cidr: 10.0.0.0/8
            except: [10.${i % 256}.0.0/16]
      ports:
        - port: http
        - port: 9090
          protocol: TCP
  egress:
    - to:
        - podSelector: {}
      ports:
        - port: 5432
          endPort: 5440
`;
}

/** Writes about `bytes` of manifests to `file`; returns the number of applications written. */
export async function writeLargeManifest(file: string, bytes: number): Promise<number> {
  const out = createWriteStream(file);
  let written = 0;
  let i = 0;
  while (written < bytes) {
    const chunk: string[] = [];
    for (let k = 0; k < 500; k++) chunk.push(app(i++));
    const s = chunk.join('');
    written += Buffer.byteLength(s);
    if (!out.write(s)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return i;
}
