package host

import (
	"bytes"
	_ "embed"
	"html/template"
)

// pageBudget bounds the bytes of method sections one page holds. A
// section is rendered whole or not at all, so a page is at most this, plus
// one section (help is cut at pageHelpBytes; signatures are bounded by the
// manifest limits), plus the plugin table (pageMaxPlugins rows) and the
// frame: page_test.go measures the worst case.
const pageBudget = 2 << 20

// pageMemory is about what building one page may hold at most: the
// snapshot's examples (pageMaxMethods of
// them, about 1 KiB each; help and names are the registry's own strings),
// the sections twice (buffer and string) and the page.
const pageMemory = 4 * pageBudget

//go:embed page/page.html
var pageHTML string

// pageTemplate escapes everything it writes by context (html/template):
// names and help come from uploaded modules.
var pageTemplate = template.Must(template.New("page").Parse(pageHTML))

// pageView is what the "page" template reads.
type pageView struct {
	pageData
	Sections      template.HTML // "method" sections, each escaped by pageTemplate
	Shown, Hidden int
	MaxPlugins    int
	BudgetKiB     int
}

// renderPage writes the page for d, holding method sections while they fit
// in budget bytes and counting the rest.
func renderPage(d pageData, budget int) ([]byte, error) {
	var sections bytes.Buffer
	shown := 0
	for _, m := range d.Methods {
		if sections.Len() >= budget {
			break
		}
		if err := pageTemplate.ExecuteTemplate(&sections, "method", m); err != nil {
			return nil, err
		}
		shown++
	}
	v := pageView{pageData: d, Shown: shown, Hidden: d.Matched - shown, MaxPlugins: pageMaxPlugins, BudgetKiB: budget >> 10,
		// Safe: every byte of it was written by pageTemplate, which escaped it.
		Sections: template.HTML(sections.String())}
	var out bytes.Buffer
	out.Grow(sections.Len() + 16<<10)
	if err := pageTemplate.ExecuteTemplate(&out, "page", v); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
