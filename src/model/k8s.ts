/**
 * A Kubernetes workload to collect from (`--k8s`): the pods of a deployment,
 * or of a label selector, in a namespace, reached by port-forward through the
 * Kubernetes API on `port` (the pod's pprof port).
 */
export interface K8sTargetSpec {
  readonly name: string;
  readonly namespace: string;
  /** The deployment whose pods to follow; null with a label selector. */
  readonly deployment: string | null;
  /** A label selector (`app=x,tier in (a,b)`); null with a deployment (its own selector is used). */
  readonly selector: string | null;
  readonly port: number;
}

/** operator-controller's tools serve pprof on 6060, as `net/http/pprof` examples do. */
export const DEFAULT_PPROF_PORT = 6060;
