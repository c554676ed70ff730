/**
 * No false positives: a cluster where every Service, Ingress, claim, HPA, PDB, NetworkPolicy and
 * webhook is healthy (k8sgpt's HPA false positives are the complaint this guards against) gives
 * zero findings from the service, ingress, storage, autoscaling, policy and webhook analyzers.
 */
import { describe, expect, it } from "vitest";
import { SimCluster } from "../../sim/cluster.ts";
import { parseManifests } from "../../sim/scenarios/manifests.ts";
import { SimSession } from "../sim-run.ts";

const MANIFESTS = `
apiVersion: v1
kind: Node
metadata: { name: node-a-1, labels: { kubernetes.io/hostname: node-a-1, topology.kubernetes.io/zone: eu-west-1a } }
status: { capacity: { cpu: "8", memory: 32Gi, pods: "110" } }
---
apiVersion: v1
kind: Namespace
metadata: { name: shop }
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: { name: gp3, annotations: { storageclass.kubernetes.io/is-default-class: "true" } }
provisioner: ebs.csi.aws.com
---
apiVersion: v1
kind: PersistentVolume
metadata: { name: archive-1 }
spec: { capacity: { storage: 50Gi }, accessModes: [ReadWriteOnce], storageClassName: "", hostPath: { path: /data/a } }
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: archive, namespace: shop }
spec: { accessModes: [ReadWriteOnce], storageClassName: "", resources: { requests: { storage: 20Gi } } }
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: data, namespace: shop }
spec: { accessModes: [ReadWriteOnce], resources: { requests: { storage: 10Gi } } }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: api, namespace: shop }
spec:
  replicas: 3
  selector: { matchLabels: { app: api } }
  template:
    metadata:
      labels: { app: api }
      annotations: { sim.opsloop.dev/behaviour: '{"cpu": {"baseMilli": 40}}' }
    spec:
      securityContext: { runAsNonRoot: true, runAsUser: 1000 }
      containers:
        - name: api
          image: ghcr.io/acme/api:1.0
          ports: [{ containerPort: 8080, name: http }]
          resources: { requests: { cpu: 100m, memory: 128Mi }, limits: { memory: 256Mi } }
          readinessProbe: { httpGet: { path: /ready, port: http } }
---
apiVersion: v1
kind: Service
metadata: { name: api, namespace: shop }
spec: { selector: { app: api }, ports: [{ name: http, port: 80, targetPort: http }] }
---
apiVersion: v1
kind: Service
metadata: { name: external-db, namespace: shop }
spec: { type: ExternalName, externalName: db.example.com }
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: api, namespace: shop }
spec:
  rules:
    - host: api.example.com
      http:
        paths:
          - { path: /, pathType: Prefix, backend: { service: { name: api, port: { name: http } } } }
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: api, namespace: shop }
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: api }
  minReplicas: 3
  maxReplicas: 10
  metrics: [{ type: Resource, resource: { name: cpu, target: { type: Utilization, averageUtilization: 70 } } }]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: api, namespace: shop }
spec: { minAvailable: 2, selector: { matchLabels: { app: api } } }
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: default-deny, namespace: shop }
spec: { podSelector: {}, policyTypes: [Ingress] }
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: allow-api, namespace: shop }
spec:
  podSelector: { matchLabels: { app: api } }
  policyTypes: [Ingress]
  ingress: [{ from: [{ namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: ingress-nginx } } }] }]
---
apiVersion: batch/v1
kind: CronJob
metadata: { name: nightly, namespace: shop }
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        metadata: { labels: { app: nightly } }
        spec:
          restartPolicy: Never
          containers: [{ name: task, image: ghcr.io/acme/task:1.0, resources: { limits: { memory: 64Mi } } }]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: nightly-egress-only, namespace: shop }
spec:
  podSelector: { matchLabels: { app: nightly } }
  policyTypes: [Ingress]
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: { name: api-validate }
webhooks:
  - name: validate.api.acme.io
    admissionReviewVersions: [v1]
    sideEffects: None
    clientConfig: { service: { name: api, namespace: shop, path: /validate } }
    rules: [{ apiGroups: ["apps"], apiVersions: [v1], operations: [CREATE], resources: [deployments] }]
`;

describe("healthy services, ingress, storage, autoscaling, policies and webhooks", () => {
  it("give zero findings", async () => {
    const session = await SimSession.start(new SimCluster({ tickMs: 2_000 }));
    try {
      await session.apply(parseManifests(MANIFESTS));
      session.cluster.step(4 * 60_000);
      const { findings } = await session.diagnose({
        filter: [
          "service",
          "ingress",
          "storage",
          "hpa",
          "pdb",
          "network-policy",
          "webhooks",
          "security",
        ],
      });
      expect(
        findings.map((f) => `${f.reason} ${f.subject.kind}/${f.subject.name}: ${f.rootCause}`),
      ).toEqual([]);
      // The objects were really there and healthy, not silently absent.
      const hpa = session.cluster.store.get("horizontalpodautoscalers.autoscaling", "shop", "api");
      expect(
        hpa?.status?.conditions?.find((c: { type: string }) => c.type === "ScalingActive")?.status,
      ).toBe("True");
      const claims = session.cluster.store.list("persistentvolumeclaims", { namespace: "shop" });
      expect(claims.map((c) => c.status?.phase)).toEqual(["Bound", "Bound"]);
    } finally {
      await session.close();
    }
  }, 30_000);
});
