export { openPublisher, type PublisherOptions } from './mqtt-publisher.js';
export { stateMessage, eventMessage } from './mqtt-messages.js';
export { discoveryConfigs } from './ha-discovery.js';
export type { MqttOptions, Topics } from './mqtt-options.js';
export { topicsFor } from './mqtt-options.js';
