/** How many of each service `npm run scale` runs: the replicas of docker-compose.yml (a unit test checks they agree). */
export const SCALE_TOPOLOGY = { receivers: 2, workers: 3 } as const;
