import type { ESLint, Linter } from 'eslint';

/** Why `from` may not import `to` (both repository-relative paths), or undefined when it may. */
export function boundaryViolation(from: string, to: string): string | undefined;
/** The eslint plugin holding `package-boundaries`. */
export const plugin: ESLint.Plugin;
/** Flat-config entries that turn the rule on for pkg, cmd and ui/src. */
export const boundaryConfigs: Linter.Config[];
/** The package map as the markdown table of docs/architecture.md. */
export function packageMapTable(): string;
/** The layers with their summaries, lowest first. */
export const layers: ReadonlyArray<{ name: string; summary: string; packages: string[] }>;
