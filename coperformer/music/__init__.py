"""Pure music core: time, meter, rolls, harmony, metrics and rule baselines."""
