// Placeholder check function until the runtime lands: always active.
export const handler = async () => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ switch: 'global', suspended: false }),
});
