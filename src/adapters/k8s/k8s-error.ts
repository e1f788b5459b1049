/** The Kubernetes API could not be reached or refused a request; the message says which and why, in one line. */
export class K8sError extends Error {
  override readonly name = 'K8sError';
}
