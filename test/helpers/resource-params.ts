/** Every /res/ query parameter the fixture server's grammar takes, as the tests name them (not read from src/, so a rule dropped there fails them). */
export const RESOURCE_PARAMS = [
  'size',
  'rate',
  'delay',
  'status',
  'length',
  'drop',
  'stall',
  'stallAfter',
  'redirect',
  'range',
  'etag',
  'cors',
  'type',
  'seed',
] as const;
