// The transport's public face: build a target from inventory vars, connect, run, put, close.
export { connect, SshTransport, type ConnectOpts, type TransportMode } from './ssh.js';
export { targetFromVars, type ConnectTarget, type TargetOpts, type StrictHostKeyChecking } from './target.js';
export { sh, raw, quote, asWord, joinCommands, toCommand, ShellCommand, type ShellValue } from './quote.js';
export {
  UnreachableError,
  BecomeError,
  type Transport,
  type ExecResult,
  type PutResult,
  type PutOpts,
  type PutStep,
  type RunOpts,
  type BecomeOpts,
  type BecomeMethod,
  type UnreachableReason,
} from './types.js';
