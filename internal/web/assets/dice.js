// Dice faces drawn with CSS: a 3×3 grid whose cells 1..9 (row by row) hold
// the pips each value shows.
const pipsOf = {
  1: [5],
  2: [3, 7],
  3: [3, 5, 7],
  4: [1, 3, 7, 9],
  5: [1, 3, 5, 7, 9],
  6: [1, 3, 4, 6, 7, 9],
};

// dieElement draws one die; testid names it for the browser test.
export function dieElement(value, testid, small = false) {
  const die = document.createElement("div");
  die.className = small ? "die die-small" : "die";
  die.dataset.value = String(value);
  if (testid) die.dataset.testid = testid;
  die.setAttribute("role", "img");
  die.setAttribute("aria-label", `die showing ${value}`);
  const on = new Set(pipsOf[value] ?? []);
  for (let cell = 1; cell <= 9; cell++) {
    const pip = document.createElement("span");
    pip.className = on.has(cell) ? "pip on" : "pip";
    die.append(pip);
  }
  return die;
}
