/**
 * Field numbers of the Kubernetes protobuf messages that kubectl's generators send
 * (`kubectl create namespace|configmap|secret|deployment|job|cronjob` post protobuf bodies),
 * from k8s.io/api {group}/{version}/generated.proto; verified against bodies captured from kubectl 1.32.
 * Kinds: s string, i integer (a pointer: kept when 0), i0 integer (omitempty), b bool, ss repeated string, map map<string,string>,
 * mapb map<string,bytes>, mapq map<string,Quantity>, time metav1.Time, ios IntOrString, or a message name
 * ("[]" suffix: repeated).
 */
export type FieldSpec = [name: string, kind: string];
export type MessageSpec = Record<number, FieldSpec>;

const objectMeta: MessageSpec = {
  1: ["name", "s"],
  2: ["generateName", "s"],
  3: ["namespace", "s"],
  5: ["uid", "s"],
  6: ["resourceVersion", "s"],
  8: ["creationTimestamp", "time"],
  11: ["labels", "map"],
  12: ["annotations", "map"],
  14: ["finalizers", "ss"],
};

const container: MessageSpec = {
  1: ["name", "s"],
  2: ["image", "s"],
  3: ["command", "ss"],
  4: ["args", "ss"],
  5: ["workingDir", "s"],
  6: ["ports", "ContainerPort[]"],
  7: ["env", "EnvVar[]"],
  8: ["resources", "ResourceRequirements"],
  13: ["terminationMessagePath", "s"],
  14: ["imagePullPolicy", "s"],
  16: ["stdin", "b"],
  17: ["stdinOnce", "b"],
  18: ["tty", "b"],
  20: ["terminationMessagePolicy", "s"],
};

const podSpec: MessageSpec = {
  2: ["containers", "Container[]"],
  3: ["restartPolicy", "s"],
  4: ["terminationGracePeriodSeconds", "i"],
  5: ["activeDeadlineSeconds", "i"],
  6: ["dnsPolicy", "s"],
  7: ["nodeSelector", "map"],
  8: ["serviceAccountName", "s"],
  10: ["nodeName", "s"],
  11: ["hostNetwork", "b"],
  16: ["hostname", "s"],
  17: ["subdomain", "s"],
  19: ["schedulerName", "s"],
  20: ["initContainers", "Container[]"],
  24: ["priorityClassName", "s"],
};

const jobSpec: MessageSpec = {
  1: ["parallelism", "i"],
  2: ["completions", "i"],
  3: ["activeDeadlineSeconds", "i"],
  4: ["selector", "LabelSelector"],
  5: ["manualSelector", "b"],
  6: ["template", "PodTemplateSpec"],
  7: ["backoffLimit", "i"],
  8: ["ttlSecondsAfterFinished", "i"],
  9: ["completionMode", "s"],
  10: ["suspend", "b"],
};

export const MESSAGES: Record<string, MessageSpec> = {
  Unknown: { 1: ["typeMeta", "TypeMeta"], 2: ["raw", "bytes"] },
  TypeMeta: { 1: ["apiVersion", "s"], 2: ["kind", "s"] },
  ObjectMeta: objectMeta,
  Namespace: { 1: ["metadata", "ObjectMeta"], 2: ["spec", "NamespaceSpec"] },
  NamespaceSpec: { 1: ["finalizers", "ss"] },
  ConfigMap: {
    1: ["metadata", "ObjectMeta"],
    2: ["data", "map"],
    3: ["binaryData", "mapb"],
    4: ["immutable", "b"],
  },
  Secret: {
    1: ["metadata", "ObjectMeta"],
    2: ["data", "mapb"],
    3: ["type", "s"],
    4: ["stringData", "map"],
    5: ["immutable", "b"],
  },
  Deployment: { 1: ["metadata", "ObjectMeta"], 2: ["spec", "DeploymentSpec"] },
  DeploymentSpec: {
    1: ["replicas", "i"],
    2: ["selector", "LabelSelector"],
    3: ["template", "PodTemplateSpec"],
    4: ["strategy", "DeploymentStrategy"],
    5: ["minReadySeconds", "i0"],
    6: ["revisionHistoryLimit", "i"],
    7: ["paused", "b"],
    9: ["progressDeadlineSeconds", "i"],
  },
  DeploymentStrategy: { 1: ["type", "s"] },
  LabelSelector: {
    1: ["matchLabels", "map"],
    2: ["matchExpressions", "LabelSelectorRequirement[]"],
  },
  LabelSelectorRequirement: { 1: ["key", "s"], 2: ["operator", "s"], 3: ["values", "ss"] },
  PodTemplateSpec: { 1: ["metadata", "ObjectMeta"], 2: ["spec", "PodSpec"] },
  PodSpec: podSpec,
  Container: container,
  ContainerPort: {
    1: ["name", "s"],
    3: ["containerPort", "i"],
    4: ["protocol", "s"],
    5: ["hostIP", "s"],
  },
  EnvVar: { 1: ["name", "s"], 2: ["value", "s"] },
  ResourceRequirements: { 1: ["limits", "mapq"], 2: ["requests", "mapq"] },
  Job: { 1: ["metadata", "ObjectMeta"], 2: ["spec", "JobSpec"] },
  JobSpec: jobSpec,
  CronJob: { 1: ["metadata", "ObjectMeta"], 2: ["spec", "CronJobSpec"] },
  CronJobSpec: {
    1: ["schedule", "s"],
    2: ["startingDeadlineSeconds", "i"],
    3: ["concurrencyPolicy", "s"],
    4: ["suspend", "b"],
    5: ["jobTemplate", "JobTemplateSpec"],
    6: ["successfulJobsHistoryLimit", "i"],
    7: ["failedJobsHistoryLimit", "i"],
    8: ["timeZone", "s"],
  },
  JobTemplateSpec: { 1: ["metadata", "ObjectMeta"], 2: ["spec", "JobSpec"] },
  Service: { 1: ["metadata", "ObjectMeta"], 2: ["spec", "ServiceSpec"] },
  ServiceSpec: {
    1: ["ports", "ServicePort[]"],
    2: ["selector", "map"],
    3: ["clusterIP", "s"],
    4: ["type", "s"],
    5: ["externalIPs", "ss"],
    7: ["sessionAffinity", "s"],
    10: ["externalName", "s"],
  },
  ServicePort: {
    1: ["name", "s"],
    2: ["protocol", "s"],
    3: ["port", "i"],
    4: ["targetPort", "ios"],
    5: ["nodePort", "i0"],
  },
  ServiceAccount: { 1: ["metadata", "ObjectMeta"] },
  // kubectl autoscale posts autoscaling/v1; "Kind@apiVersion" keys pick a version's message.
  "HorizontalPodAutoscaler@autoscaling/v1": {
    1: ["metadata", "ObjectMeta"],
    2: ["spec", "HpaV1Spec"],
  },
  HpaV1Spec: {
    1: ["scaleTargetRef", "CrossVersionObjectReference"],
    2: ["minReplicas", "i"],
    3: ["maxReplicas", "i"],
    4: ["targetCPUUtilizationPercentage", "i"],
  },
  CrossVersionObjectReference: { 1: ["kind", "s"], 2: ["name", "s"], 3: ["apiVersion", "s"] },
  PodDisruptionBudget: { 1: ["metadata", "ObjectMeta"], 2: ["spec", "PodDisruptionBudgetSpec"] },
  PodDisruptionBudgetSpec: {
    1: ["minAvailable", "ios"],
    2: ["selector", "LabelSelector"],
    3: ["maxUnavailable", "ios"],
  },
};
