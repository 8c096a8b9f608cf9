import type { Communicator } from './communicator.ts';
import type { Ui } from './ui.ts';
import type { ObjectSpec } from './rpc/hcl-spec.ts';

/**
 * Provisioner installs and configures software on the machine, through the
 * builder's communicator. Mirrors Packer's `packer.Provisioner`.
 */
export interface Provisioner {
  /**
   * The HCL2 spec of the configuration (Packer 1.7+ decodes HCL2 templates with it; Go's
   * `ConfigSpec()`): derive it from the same Schema `prepare` decodes with, `objectSpec(SCHEMA)`.
   * Without it the component accepts no HCL2 attributes.
   */
  configSpec?(): ObjectSpec;
  /** Validates and stores the configuration; throws a `MultiError` listing every problem. */
  prepare(...raws: unknown[]): Promise<void>;
  /**
   * Provisions. `generatedData` holds the builder's generated variables
   * (e.g. `PackerRunUUID`, `ConnType`, `SSHHost`); `comm` is undefined with
   * `communicator: none`.
   */
  provision(ui: Ui, comm: Communicator | undefined, generatedData: Record<string, unknown>, signal: AbortSignal): Promise<void>;
}
