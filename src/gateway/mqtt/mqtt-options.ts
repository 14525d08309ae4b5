// The publisher's configuration; GatewayConfig['mqtt'] (src/gateway/config) is this type, so the
// loaded configuration passes straight in.

export interface MqttOptions {
  /** `mqtt://host:1883` or `mqtts://host:8883`. */
  url: string;
  username?: string;
  password?: string;
  /** PEM file of the CA that signed the broker's certificate (mqtts). */
  caPath?: string;
  clientId: string;
  /** First topic level, default `meters`. */
  topicPrefix: string;
  /** The SQLite outbox file. */
  bufferPath: string;
  /** Past this many waiting messages the oldest are dropped and counted. */
  bufferMaxMessages: number;
  homeAssistant: { enabled: boolean; discoveryPrefix: string };
  /** A meter's availability turns `offline` after this long without a verified reading. */
  availabilityTimeoutSeconds: number;
  qos?: 1;
}

/** The topics of one gateway (docs/mqtt.md). */
export interface Topics {
  status: string;
  statusDetail: string;
  gatewayEvent: string;
  state(meterKey: string): string;
  availability(meterKey: string): string;
  event(meterKey: string): string;
  haStatus: string;
  discovery(meterKey: string, field: string): string;
}

/** A topic level must not contain the wildcards or the separator: anything else becomes `_`. */
export const topicLevel = (s: string): string => s.replace(/[^A-Za-z0-9_.-]/g, '_');

export function topicsFor(prefix: string, gatewayId: string, discoveryPrefix: string): Topics {
  const base = `${prefix}/${topicLevel(gatewayId)}`;
  return {
    status: `${base}/status`,
    statusDetail: `${base}/status/detail`,
    gatewayEvent: `${base}/event`,
    state: (m) => `${base}/${topicLevel(m)}/state`,
    availability: (m) => `${base}/${topicLevel(m)}/availability`,
    event: (m) => `${base}/${topicLevel(m)}/event`,
    haStatus: `${discoveryPrefix}/status`,
    discovery: (m, field) => `${discoveryPrefix}/sensor/${topicLevel(gatewayId)}_${topicLevel(m)}/${topicLevel(field)}/config`,
  };
}
