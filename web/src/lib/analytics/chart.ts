// The Layer Cake context as the dashboard's charts use it: days on a linear x scale (day i at
// x(i), the domain padded half a day each side) and counts or seconds on a linear y scale. Typed
// here so the layers never see Layer Cake's catch-all scale type.
import { getLayerCakeContext } from "layercake";

export interface LinearScale {
  (value: number): number;
}

export const chartContext = () => getLayerCakeContext<{ x: LinearScale; y: LinearScale }>();

/** Each day's x value: its index, so both charts place a day at the same spot. */
export interface Indexed {
  i: number;
}

/** The x domain of `count` days: each day centred in a slot one unit wide. */
export const dayDomain = (count: number): [number, number] => [-0.5, Math.max(1, count) - 0.5];
