/** The "HTTP API" variables: where the API listens. */
import type { ConfigSection } from './variable.ts';

export const API_SECTION: ConfigSection = {
  title: 'HTTP API',
  variables: [
    {
      name: 'HARMONISE_API_HOST',
      setting: 'api.host',
      default: { value: '127.0.0.1' },
      meaning: 'the address the HTTP API listens on (loopback unless a proxy stands in front)',
    },
    {
      name: 'HARMONISE_API_PORT',
      setting: 'api.port',
      default: { value: 8080 },
      meaning: "the HTTP API's port",
    },
    {
      name: 'HARMONISE_API_READER_RATE',
      setting: 'api.readerRatePerSecond',
      default: { value: 20 },
      meaning:
        'requests per second one frequency-reader token may make; beyond it the API answers 429 with Retry-After',
    },
    {
      name: 'HARMONISE_API_READER_BURST',
      setting: 'api.readerBurst',
      default: { value: 100 },
      meaning: 'requests a frequency-reader token may make at once before its rate applies',
    },
  ],
};
