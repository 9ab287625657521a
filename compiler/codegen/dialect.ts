// Backend dialects as data: what differs between C and CUDA that is not a
// template override. Templates are looked up in templates/<dialect>/ first,
// then templates/c/.
export type Backend = 'c' | 'cuda';

export interface Dialect {
  readonly name: Backend;
  readonly restrict: string;
  /** Kernel-function qualifier. */
  readonly kernel: string;
  readonly fileExt: string;
}

export const DIALECTS: Readonly<Record<Backend, Dialect>> = {
  c: { name: 'c', restrict: 'restrict', kernel: 'static void', fileExt: 'c' },
  cuda: { name: 'cuda', restrict: '__restrict__', kernel: '__global__ void', fileExt: 'cu' },
};
