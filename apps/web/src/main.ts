import { HealthResponseSchema } from '@tradetally/contracts';

// The settings page is built out by its own issue; for now it shows whether the API answers.
const app = document.querySelector<HTMLElement>('#app');
fetch('/v1/health')
  .then((response) => response.json())
  .then((body: unknown) => {
    const health = HealthResponseSchema.parse(body);
    app?.insertAdjacentHTML('beforeend', `<p>API status: ${health.status}</p>`);
  })
  .catch(() => app?.insertAdjacentHTML('beforeend', '<p>The API does not answer.</p>'));
