/** Tailwind v3 configuration. Classes live in templ files (and a few Go files that pick
 *  complete class names), never built from strings. */
// Tailwind is installed in .build/node_modules (see Makefile), not beside this file.
const colors = require(require.resolve("tailwindcss/colors", { paths: [__dirname + "/.build", __dirname] }));

/* Dark theme. Every colour class reads a CSS variable; under prefers-color-scheme: dark
 * the variables flip each scale (50 ↔ 950, 100 → 800, …, 900 → 100, white → slate-900),
 * so a light background with dark text becomes a dark background with light text and
 * every page, including pages written later, is dark without a dark: class anywhere.
 * Chosen over darkMode: 'media' + dark: variants because that would mean a second class
 * on most of ~800 colour classes across every template (and every new one), where this
 * is one table here. The mapping keeps each pair's contrast: 600 and 500 both map to
 * 400, so secondary text stays above 4.5:1 on the dark card colour. */
const palettes = ["slate", "gray", "red", "orange", "amber", "yellow", "green", "emerald", "teal", "sky", "blue", "indigo", "violet", "purple", "pink"];
const darkShade = { 50: 950, 100: 800, 200: 700, 300: 600, 400: 500, 500: 400, 600: 400, 700: 300, 800: 200, 900: 100, 950: 50 };
const rgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(" ");

const themeColors = { transparent: "transparent", current: "currentColor", inherit: "inherit", black: colors.black, white: "rgb(var(--c-white) / <alpha-value>)" };
const light = { "--c-white": rgb("#ffffff") };
const dark = { "--c-white": rgb(colors.slate[900]) };
for (const name of palettes) {
  themeColors[name] = {};
  for (const shade of Object.keys(darkShade)) {
    const v = `--c-${name}-${shade}`;
    themeColors[name][shade] = `rgb(var(${v}) / <alpha-value>)`;
    light[v] = rgb(colors[name][shade]);
    dark[v] = rgb(colors[name][darkShade[shade]]);
  }
}

module.exports = {
  content: ["./views/**/*.templ", "./views/**/*.go", "./handlers/**/*.go"],
  theme: {
    colors: themeColors,
    extend: {
      // Focus rings are offset by the card's colour, not a fixed white (dark theme).
      ringOffsetColor: { DEFAULT: "rgb(var(--c-white))" },
      fontFamily: {
        sans: ["ui-sans-serif", "system-ui", "-apple-system", "Segoe UI", "Roboto", "sans-serif"],
        mono: ["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"],
      },
    },
  },
  plugins: [
    function ({ addBase }) {
      addBase({
        ":root": { ...light, "color-scheme": "light dark" },
        "@media (prefers-color-scheme: dark)": { ":root": dark },
      });
    },
  ],
};
