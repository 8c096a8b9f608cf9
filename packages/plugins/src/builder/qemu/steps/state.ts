/** The qemu builder's state: what every step reads from the bag. */
import type { StateBag, Ui } from '@packer-ts/sdk';
import type { QemuConfig } from '../config.ts';
import type { QemuDriver } from '../driver.ts';

export function cfg(state: StateBag): QemuConfig { return state.need<QemuConfig>('config'); }
export function drv(state: StateBag): QemuDriver { return state.need<QemuDriver>('driver'); }
export function ui(state: StateBag): Ui { return state.need<Ui>('ui'); }
