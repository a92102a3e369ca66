/**
 * transferkit vision: image classifiers by transfer learning from ImageNet CNNs.
 *
 *   const backbone = await Backbone.load('mobilenet_v2_nsfwjs', { imageSize: 128 });
 *   const { classifier } = await trainImageClassifier('photos/', { backbone, strategy: 'fine-tune' });
 *   await classifier.save('my-model');
 *   const { predictions } = await (await ImageClassifier.load('my-model')).predict(['cat.jpg'], { topK: 3 });
 */
export * from './registry.js';
export { Backbone, freezesWholeBody, resolveFreezePoint, type BackboneOptions, type ResolvedGroup } from './backbone.js';
export { classifySource, fetchModelFiles, readLocalModel, downloadModel, urlCacheDir, type ModelFiles, type SourceKind } from './sources.js';
export { modelFromJson, layerNamesOf, type LayersModelJson, type WeightSpec, type PrepareOptions } from './model-json.js';
export { readPackagedModel } from './nsfwjs.js';
export * from './preprocess.js';
export * from './data.js';
export * from './augment.js';
export { cleanCuts, checkCut, prefixModel, suffixModel } from './graph.js';
export { freezeThrough, unfreezeAll, frozenPrefixEnd, setBatchNormPolicy } from './freeze.js';
export { buildClassifierModel, pooledDim, POOL_LAYER, HEAD_PREFIX, type Pooling, type ClassifierModelOptions } from './model.js';
export { ActivationCache, type ExtractionStats } from './feature-cache.js';
export { ImageBatchSource, ActivationSource, type ImageSet } from './image-source.js';
export { ImageLearner, type LearnerOptions, type LearnerFitOptions } from './learner.js';
export { STRATEGIES, STRATEGY_NAMES, FINE_TUNE_SCHEDULE, getStrategy, type StrategyName, type StrategyInfo, type StrategyOptions } from './strategies.js';
export { ImageClassifier, IMAGE_CLASSIFIER_KIND, type Prediction, type LabelScore, type Evaluation, type ClassifierInfo } from './classifier.js';
export { checkTrainOptions, ignoredStrategyOption, STRATEGY_ONLY_OPTIONS, epochRecords, trainImageClassifier, type VisionEpochRecord, type TrainImageClassifierOptions, type TrainImageClassifierResult } from './train.js';
export { VisionCheckpoint, checkCheckpointOptions, type VisionCheckpointOptions, type CheckpointRecord, type CheckpointSave } from './checkpoint.js';
export { embedImages, type EmbedOptions, type EmbedResult } from './embed.js';
export { BackboneChangedError, embedQueryImage, imageQueryEncoder, imageRecipe, imageRecipeProblem, isImageRecipe, type ImageEmbeddingRecipe } from './query-encoder.js';
export { writeSyntheticImages, syntheticPixels, SYNTHETIC_CLASSES, type SyntheticOptions } from './synthetic.js';
export { MAX_IMAGE_SIZE, inferenceBatchSize, isOutOfMemory, outOfMemoryError, withMemoryGuard, type MemoryContext } from './memory.js';
export { runVisionDemo, type VisionDemoOptions, type VisionDemoResult } from './demo.js';
export { visionEngine, setVisionEngine, TfjsEngine, installGradientBridge, bridgedKernels, BRIDGEABLE_KERNELS, installBatchNormGradient, uninstallBatchNormGradient, batchNormGradientBackends, installClipGradient, uninstallClipGradient, type VisionEngine, type TrainingSupport } from './engine/index.js';
