// Contact message → fan-out: time from sending the POST to the frame arriving on every socket.

/** One round: `count` messages, one after another, over sockets already open. */
export async function fanoutRound(target, sockets, conversation, count, label) {
  const samples = [];
  for (let i = 0; i < count; i++) {
    const token = `${label}-${i}-${Math.random().toString(36).slice(2, 10)}`;
    let remaining = sockets.length;
    let last = 0;
    const arrived = new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `${target.name}: ${remaining} of ${sockets.length} sockets never got ${token}`,
            ),
          ),
        15_000,
      );
      for (const socket of sockets) {
        let seen = false;
        socket.onFrame = (data, at) => {
          if (seen || !data.includes(token)) return;
          seen = true;
          last = Math.max(last, at);
          if (--remaining === 0) {
            clearTimeout(timer);
            resolve();
          }
        };
      }
    });
    const started = performance.now();
    const [res] = await Promise.all([
      target.contactMessage(0, conversation, token, `Still there? ${token}`),
      arrived,
    ]);
    if (res.status !== target.acceptedStatus)
      throw new Error(`${target.name}: contact message answered ${res.status}: ${res.text}`);
    samples.push(last - started);
  }
  for (const socket of sockets) socket.onFrame = null;
  return samples;
}
