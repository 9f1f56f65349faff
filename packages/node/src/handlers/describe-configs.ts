import { DescribeConfigs, KafkaErrorCode } from '@oxbow/protocol';
import { RESOURCE_TYPE } from './config-resources.js';
import { defineHandler } from './handler.js';

/**
 * DescribeConfigs (32): topic configs with Kafka's sources, synonyms, types and documentation
 * (secrets reported as null with isSensitive), and this broker's static settings.
 */
export const describeConfigsHandler = defineHandler({
  api: DescribeConfigs,
  minVersion: 0,
  maxVersion: 4,
  handle(request, ctx) {
    const { services, apiVersion } = ctx;
    const results = request.resources.map((r) => {
      const base = { resourceType: r.resourceType, resourceName: r.resourceName };
      const options = { includeSynonyms: apiVersion >= 1 && request.includeSynonyms, includeDocumentation: request.includeDocumentation, keys: r.configurationKeys };
      let outcome;
      if (r.resourceType === RESOURCE_TYPE.TOPIC) outcome = services.topics.describeTopicConfigs(r.resourceName, options);
      else if (r.resourceType === RESOURCE_TYPE.BROKER) outcome = services.topics.describeBrokerConfigs(r.resourceName, services.identity.nodeId, options);
      else outcome = { errorCode: KafkaErrorCode.INVALID_REQUEST, errorMessage: `Resource type ${r.resourceType} is not supported` };
      if (!('value' in outcome)) return { ...base, errorCode: outcome.errorCode, errorMessage: outcome.errorMessage, configs: [] };
      return {
        ...base,
        errorCode: 0,
        errorMessage: null,
        configs: outcome.value.map((c) => ({
          name: c.name,
          value: c.value,
          readOnly: c.readOnly,
          isDefault: apiVersion === 0 && c.isDefault, // a v0-only field
          configSource: c.configSource,
          isSensitive: c.isSensitive,
          synonyms: c.synonyms.map((s) => ({ name: s.name, value: s.value, source: s.source })),
          configType: c.configType,
          documentation: c.documentation,
        })),
      };
    });
    return Promise.resolve({ throttleTimeMs: 0, results });
  },
  errorResponse: (request, errorCode) => ({
    throttleTimeMs: 0,
    results: request.resources.map((r) => ({ resourceType: r.resourceType, resourceName: r.resourceName, errorCode, errorMessage: null, configs: [] })),
  }),
});
