import { errorSummary, type ErrorSummary, type Status } from '@csms/grpc';

/** What a failed gRPC call said: its status code, rich error details and the error's text. */
export interface Rejection extends ErrorSummary {
  readonly code: Status;
  readonly message: string;
}

/** Awaits a gRPC call that must fail and returns how it failed; throws if it succeeded. */
export async function rejection(promise: Promise<unknown>): Promise<Rejection> {
  try {
    await promise;
  } catch (error) {
    return { code: (error as { code: Status }).code, ...errorSummary(error), message: String(error) };
  }
  throw new Error('expected the call to fail');
}
