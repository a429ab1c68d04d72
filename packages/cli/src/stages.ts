import { applyStage, publishStage, verifyStage } from '@rebase-daily/git';
import { alignStage } from '@rebase-daily/graphite';
import { validateStage } from '@rebase-daily/cargo-validate';
import type { StageImpls } from '@rebase-daily/core';

/** The stage implementations the CLI composes into core's pipeline. */
export function stageImpls(): StageImpls {
  return { verify: verifyStage, apply: applyStage, align: alignStage, validate: validateStage, publish: publishStage };
}
