// The finetune stages the live tests append to model/helpers' tiny pretraining pipeline (GUE prom_core_tata, a few
// steps from the pretrained model).
export const FINETUNE = `
  benchmark:
    uses: data/benchmark@1
    inputs: { source: gue }
  finetune:
    uses: model/finetune@1
    with: { init: pretrained, task: prom/prom_core_tata, batchSize: 16, epochs: 1, lr: 0.002, warmupSteps: 2, evalEvery: 5, checkpointEvery: 50, seed: 7 }
    inputs:
      tasks: "\${{ stages.benchmark.outputs.tasks }}"
      tokenizer: "\${{ stages.tokenizer.outputs.tokenizer }}"
      model: "\${{ stages.pretrain.outputs.model }}"
    resources: { cpus: 1 }
`;
