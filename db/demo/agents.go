package demo

// Model ids of the bundled registry (db/registry/models.json).
const (
	sonnet     = "anthropic:claude-sonnet-4-20250514"
	opus       = "anthropic:claude-opus-4-20250514"
	haiku      = "anthropic:claude-3-5-haiku-20241022"
	gpt4o      = "openai:gpt-4o"
	gpt4oMini  = "openai:gpt-4o-mini"
	gpt41      = "openai:gpt-4.1"
	o3         = "openai:o3"
	geminiPro  = "google:gemini-2.5-pro"
	geminiFast = "google:gemini-2.5-flash"
	mistral    = "mistral:mistral-large-latest"
)

const (
	dev      = "development"
	released = "released"
)

func tool(name string) Tool { return Tool{Name: name} }

func kb(names ...string) Tool { return Tool{Name: "search_knowledge_base", KnowledgeBases: names} }

func calls(names ...string) Tool { return Tool{Name: "call_agent", CallAgents: names} }

func with(name string, config map[string]any) Tool { return Tool{Name: name, Config: config} }

const supportTriagePrompt = `You are the first line of Acme's customer support.

For every conversation:
1. Work out what the customer needs: a how-to question, a bug, a billing question or a refund.
2. Answer how-to questions from the Product Docs and Support Playbooks, quoting the article you used.
3. Hand billing questions to the Billing Assistant and refund requests to the Refund Specialist.

Be brief and friendly. Never promise a fix date or a refund amount yourself.`

const supportTriagePromptEscalation = supportTriagePrompt + `

Escalation:
- A customer who mentions data loss, a security issue or a legal threat goes straight to a human: file a ticket with priority "urgent".
- After two answers that did not help, offer a human and file a ticket with the conversation attached.`

const supportTriageEUPrompt = supportTriagePromptEscalation + `

This copy serves customers of the EU region: keep personal data in the EU workspace, answer in the customer's language, and mention the EU support hours (08:00–18:00 CET) when you offer a human.`

const invoicePrompt = `You extract data from supplier invoices for the accounts payable team.

Read the invoice file and return: supplier name, VAT number, invoice number, issue date, due date,
currency, net amount, VAT amount, gross amount and every line item (description, quantity, unit price).`

const invoicePromptV2 = invoicePrompt + `

Check your work: the line items must add up to the net amount and net + VAT to the gross amount.
When they do not, say so instead of guessing, and flag the invoice for a human.`

const invoicePromptV3 = invoicePromptV2 + `

Look the supplier up in the vendors table (read only) and add its vendor id. An unknown supplier is
not an error: return vendorId null and say "new supplier".`

// Agents is the demo organisation's agents, in creation order.
var Agents = []Agent{
	// Built against the previous catalog edition: they hold its web_search.
	{
		Name: "Lead Qualifier", Slug: "lead-qualifier", Model: gpt41, Stage: released, By: Builder, PreviousEdition: true,
		Description: "Researches inbound leads and scores them against our ideal customer profile before a rep calls.",
		Prompt: `You qualify inbound leads for the sales team.

For each lead: find the company's size, industry, region and tech stack from public sources,
score it from 0 to 100 against the ideal customer profile (B2B SaaS, 200–5,000 employees, EU or NA),
and file a ticket in the SALES project with your score and three talking points.

Never contact the lead yourself.`,
		Starters:          []string{"Qualify the lead from jane@northwind.example", "Which of today's leads should we call first?"},
		Tags:              []string{"sales", "production"},
		Tools:             []Tool{tool("web_search"), tool("scrape_url"), with("http_request", map[string]any{"allowedHosts": []string{"api.enrichment.example"}}), with("create_ticket", map[string]any{"projectKey": "SALES"})},
		MCPServers:        []string{"Salesforce"},
		MaxToolRoundtrips: 8, PlanningMode: "auto",
	},
	{
		Name: "Account Research Assistant", Slug: "account-research", Model: sonnet, Stage: dev, By: Builder, PreviousEdition: true,
		Description: "Prepares a one-page brief on an account before a renewal or an executive meeting.",
		Prompt: `You prepare account briefs for account managers.

A brief has: what the company does, recent news (last 90 days), who we know there, how they use our product,
open support tickets, and three questions worth asking. Keep it to one page and cite every source.`,
		Starters: []string{"Brief me on Contoso before Thursday's QBR", "What changed at Fabrikam since our last call?"},
		Tags:     []string{"sales"},
		Tools:    []Tool{tool("web_search"), tool("scrape_url"), tool("summarize_document")},
	},
	{
		Name: "Competitive Intel Digest", Slug: "competitive-intel", Model: geminiPro, Stage: dev, By: Builder, PreviousEdition: true,
		Description: "A weekly digest of competitors' launches, pricing changes and hiring, posted to #competitive-intel.",
		Prompt: `Every Monday, collect what our three main competitors did last week:
product launches, pricing page changes, notable hires and public customer wins.

Post a digest to #competitive-intel: one section per competitor, at most five bullets each,
every bullet with a link. Say "nothing notable" rather than padding.`,
		Tags:  []string{"sales", "experimental"},
		Tools: []Tool{tool("web_search"), tool("scrape_url"), tool("schedule_task"), tool("slack_post_message")},
	},
	{
		Name: "Dependency Upgrade Scout", Slug: "dependency-scout", Model: o3, Stage: dev, By: Builder, PreviousEdition: true,
		Description: "Reads release notes of our main dependencies and files upgrade tickets with the breaking changes.",
		Prompt: `You watch the releases of the libraries in our services' dependency manifests.

For each new major or minor release: read the release notes and changelog, list breaking changes
and security fixes, estimate the upgrade effort (S/M/L) and file a ticket in the PLATFORM project.
Skip patch releases unless they fix a CVE.`,
		Tags:       []string{"engineering", "experimental"},
		Tools:      []Tool{tool("web_search"), with("http_request", map[string]any{"allowedHosts": []string{"api.github.com", "registry.npmjs.org", "proxy.golang.org"}}), with("create_ticket", map[string]any{"projectKey": "PLATFORM"})},
		MCPServers: []string{"GitHub"},
	},
	{
		Name: "Blog Post Drafter", Model: gpt4o, Stage: dev, By: Builder, PreviousEdition: true,
		Description: "Turns an outline into a first draft of a blog post in our house style, with a header image.",
		Prompt: `You draft blog posts for the marketing team from an outline.

House style: plain words, short paragraphs, no exclamation marks, American spelling.
Check every fact and statistic you use with a web search and link the source.
Finish with three title options and a 150-character meta description.`,
		Starters: []string{"Draft a post from this outline", "Suggest five topics for next month"},
		Tags:     []string{"experimental"},
		Tools:    []Tool{tool("web_search"), tool("generate_image"), tool("write_file")},
	},
	{
		Name: "Status Page Writer", Slug: "status-page", Model: haiku, Stage: released, By: Builder, PreviousEdition: true,
		Description: "Writes customer-facing status updates during incidents from the incident channel's notes.",
		Prompt: `You write status page updates during incidents.

Write for customers, not engineers: what is affected, since when, what they can do meanwhile,
and when the next update comes. No internal names, no guesses about the cause.
Post the draft to the incident channel for the incident commander to approve.`,
		Tags:  []string{"support", "engineering"},
		Tools: []Tool{tool("web_search"), tool("slack_post_message")},
	},

	// Support.
	{
		Name: "Billing Assistant", Slug: "billing-assistant", Model: sonnet, Stage: released, By: Builder,
		Description: "Answers questions about invoices, plans and payment methods from the billing records.",
		Prompt: `You answer customers' billing questions: invoices, plans, seats, payment methods and tax.

Look the customer up in the billing replica (read only) before answering; never read another
customer's data. Explain charges line by line when asked. You cannot change a plan or issue a
credit: say who can and how.`,
		Starters: []string{"Why is my invoice higher this month?", "How do I add a VAT number?"},
		Tags:     []string{"support", "finance", "customer-facing", "production"},
		Tools:    []Tool{kb("Finance Handbook", "Product Docs"), with("run_sql", map[string]any{"connectionId": "billing-replica", "readOnly": true})},
	},
	{
		Name: "Refund Specialist", Slug: "refunds", Model: sonnet, Stage: dev, By: Builder,
		Description: "Checks refund requests against the refund policy and prepares them for approval.",
		Prompt: `You handle refund requests passed on by the support triage agent.

Check the request against the refund policy (14 days for monthly plans, pro rata for annual plans,
no refunds for usage-based charges). Prepare the refund in a ticket for a finance approver and
email the customer that it is under review. Never confirm an amount before approval.`,
		Tags:              []string{"support", "finance"},
		Tools:             []Tool{with("run_sql", map[string]any{"connectionId": "billing-replica", "readOnly": true}), with("send_email", map[string]any{"allowedDomains": []string{"*"}}), with("create_ticket", map[string]any{"projectKey": "FIN"})},
		MaxToolRoundtrips: 6,
	},
	{
		Name: "Support Triage", Slug: "support-triage", Model: sonnet, Stage: dev, By: Builder,
		Description: "First line of customer support: answers from the docs and routes billing and refunds.",
		Prompt:      supportTriagePrompt,
		Starters:    []string{"I can't log in since this morning", "How do I export my data?", "I was charged twice"},
		Tags:        []string{"support", "customer-facing"},
		Tools:       []Tool{kb("Product Docs", "Support Playbooks"), calls("Billing Assistant", "Refund Specialist")},
		MCPServers:  []string{"Linear"},
		History: []Step{
			{By: Builder, Update: &Change{Prompt: supportTriagePromptEscalation}},
			{By: Builder, AddTool: &Tool{Name: "create_ticket", Config: map[string]any{"projectKey": "SUP"}}},
			{By: Admin, Publish: true},
			{By: Admin, Tag: "production"},
			{By: Builder, Update: &Change{Model: opus, Description: "First line of customer support: answers from the docs and routes billing and refunds (trying Opus on hard tickets)."}},
			{By: Builder, Restore: 5},
		},
	},
	{
		Name: "Support Triage (EU)", CloneOf: "Support Triage", By: Builder,
		Description: "First line of support for EU-region customers, in their language, data kept in the EU.",
		Prompt:      supportTriageEUPrompt,
	},
	{
		Name: "Onboarding Concierge", Slug: "onboarding", Model: gpt4o, Stage: released, By: Builder,
		Description: "Welcomes new customers, books their kickoff call and walks them through setup.",
		Prompt: `You welcome customers in their first 30 days.

Offer a kickoff call with their customer success manager and book it, then guide them through the
setup checklist in the Product Docs one step at a time. Celebrate finished steps briefly.
If they are stuck for more than two messages, offer the kickoff call again.`,
		Starters: []string{"We just signed up, where do we start?", "Book our kickoff call"},
		Tags:     []string{"customer-facing", "production"},
		Tools:    []Tool{kb("Product Docs"), tool("calendar_create_event"), with("send_email", map[string]any{"allowedDomains": []string{"*"}})},
	},
	{
		Name: "Multilingual Support Translator", Slug: "support-translator", Model: mistral, Stage: released, By: Builder,
		Description: "Translates support conversations both ways so agents can help customers in 20 languages.",
		Prompt: `You translate between customers and support agents.

Translate the customer's message into English for the agent, and the agent's answer into the
customer's language. Keep product names, code and error messages untranslated.
Mark anything you are unsure of with [?].`,
		Tags:  []string{"support", "customer-facing"},
		Tools: []Tool{tool("translate_text"), kb("Product Docs")},
	},
	{
		Name: "Churn Risk Analyst", Model: o3, Stage: dev, By: Builder,
		Description: "Finds accounts at risk of churning from usage, tickets and NPS, and says why.",
		Prompt: `Every week, rank accounts by churn risk using the last 90 days of product usage, support
tickets and NPS answers.

For the top 20 give the three signals that weigh most and one suggested action for the account
manager. Explain your method in two sentences at the top.`,
		Tags:  []string{"sales", "experimental"},
		Tools: []Tool{with("run_sql", map[string]any{"connectionId": "analytics-warehouse", "readOnly": true}), tool("summarize_document")},
	},

	// Engineering.
	{
		Name: "Log Investigator", Slug: "log-investigator", Model: gpt41, Stage: released, By: Builder,
		Description: "Searches logs and metrics for the cause of an error and summarises what it found.",
		Prompt: `You investigate errors in production for the on-call engineer.

Start from the error message or request id you are given. Query the logs warehouse (read only),
look at the service's dashboards, and build a timeline of what happened. Say what you are sure of
and what you suspect, separately. Never run anything that writes.`,
		Tags:              []string{"engineering"},
		Tools:             []Tool{with("run_sql", map[string]any{"connectionId": "logs-warehouse", "readOnly": true}), with("http_request", map[string]any{"allowedHosts": []string{"api.datadoghq.example"}})},
		MCPServers:        []string{"Datadog"},
		MaxToolRoundtrips: 12, PlanningMode: "always",
	},
	{
		Name: "Incident Commander", Slug: "incident-commander", Model: opus, Stage: dev, By: Builder,
		Description: "Coordinates an incident: opens the channel, assigns roles, keeps the timeline and drafts updates.",
		Prompt: `You support the human incident commander during a production incident.

- Open the incident ticket and keep its timeline up to date from the channel.
- Ask the Log Investigator to find the cause of the errors people report.
- Every 30 minutes, ask the Status Page Writer for a customer update and post it for approval.
- Follow the incident runbook for the severity; remind people of it when they skip a step.

When the incident is resolved, draft the post-incident review outline.`,
		Tags:       []string{"engineering"},
		Tools:      []Tool{tool("slack_post_message"), with("create_ticket", map[string]any{"projectKey": "INC"}), kb("Engineering Runbooks")},
		MCPServers: []string{"Datadog", "GitHub"},
		History: []Step{
			{By: Builder, AddTool: &Tool{Name: "call_agent", CallAgents: []string{"Log Investigator", "Status Page Writer"}}},
			{By: Admin, Publish: true},
			{By: Admin, Tag: "production"},
		},
	},
	{
		Name: "Code Review Helper", Model: gpt41, Stage: dev, By: Builder,
		Description: "Reviews pull requests for bugs, missing tests and style before a human reviewer looks.",
		Prompt: `You review pull requests before a human does.

Read the diff and the files it touches. Comment on bugs, missing tests, unclear names and
security problems, each with the line and a suggested change. Do not comment on formatting:
the linters do that. End with a one-line verdict: "looks good", "small changes" or "needs work".`,
		Tags:       []string{"engineering"},
		Tools:      []Tool{tool("read_file")},
		MCPServers: []string{"GitHub"},
	},
	{
		Name: "Release Notes Writer", Slug: "release-notes", Model: sonnet, Stage: released, By: Builder,
		Description: "Writes customer release notes from the merged pull requests of a release.",
		Prompt: `You write release notes from the pull requests merged since the last release tag.

Group changes as New, Improved and Fixed; write one line per change for customers (what they can do
now, not how it was built); leave out internal changes. Post the draft to #releases and save it
as a markdown file.`,
		Tags:       []string{"engineering", "internal"},
		Tools:      []Tool{tool("write_file"), tool("summarize_document"), tool("slack_post_message")},
		MCPServers: []string{"GitHub", "Linear"},
	},
	{
		Name: "SQL Analyst", Slug: "sql-analyst", Model: gpt41, Stage: released, By: Builder,
		Description: "Answers business questions by writing and running read-only SQL on the analytics warehouse.",
		Prompt: `You answer business questions with SQL on the analytics warehouse (read only).

Show the query you ran and explain the result in plain words. State the time range and any
filters you assumed. If a question is ambiguous ("active users"), say which definition you used
from the metrics glossary.`,
		Starters:          []string{"How many trials converted last month?", "Weekly active teams by plan, last 12 weeks"},
		Tags:              []string{"internal", "production"},
		Tools:             []Tool{with("run_sql", map[string]any{"connectionId": "analytics-warehouse", "readOnly": true}), tool("extract_structured_data")},
		MaxToolRoundtrips: 10,
	},
	{
		Name: "On-call Handoff Summarizer", Model: haiku, Stage: dev, By: Builder,
		Description: "Summarises the week's alerts and open issues for the next on-call engineer.",
		Prompt: `At the end of each on-call shift, summarise for the next engineer:
alerts that fired (grouped, with counts), incidents and their state, open follow-ups,
and anything flaky to watch. Post it to #on-call every Monday at 09:00.`,
		Tags:  []string{"engineering"},
		Tools: []Tool{tool("summarize_document"), tool("slack_post_message"), tool("schedule_task")},
	},
	{
		Name: "API Docs Assistant", Slug: "api-docs", Model: geminiPro, Stage: released, By: Builder,
		Description: "Answers developers' questions about our API with working code samples.",
		Prompt: `You help developers use our public API.

Answer from the API reference in the Product Docs. Give a short explanation and a working code
sample (curl, then Python or TypeScript if asked). Run samples in the sandbox before you show them.
Never invent endpoints or parameters: say when something is not supported.`,
		Starters: []string{"How do I paginate the agents list?", "Show me how to create an agent in Python"},
		Tags:     []string{"customer-facing", "engineering"},
		Tools:    []Tool{kb("Product Docs"), tool("google:code_execution")},
	},

	// People and IT.
	{
		Name: "HR Policy Helper", Slug: "hr-policies", Model: gpt4oMini, Stage: dev, By: Admin,
		Description: "Answers employees' questions about leave, benefits, expenses and other HR policies.",
		Prompt: `You answer employees' questions about HR policies: leave, benefits, working from abroad,
parental leave, expenses and equipment.

Answer only from the HR Policies knowledge base and link the policy you used. For anything about a
specific person's situation (pay, performance, health), open a confidential HR ticket instead.`,
		Tags:  []string{"internal", "people-ops"},
		Tools: []Tool{kb("HR Policies"), with("create_ticket", map[string]any{"projectKey": "HR"})},
		History: []Step{
			{By: Builder, Update: &Change{Starters: []string{"How many days of leave do I have?", "Can I work from Portugal for a month?", "What does the parental leave policy say?"}}},
			{By: Admin, Publish: true},
			{By: Admin, Tag: "production"},
		},
	},
	{
		Name: "IT Helpdesk", Slug: "it-helpdesk", Model: gpt4oMini, Stage: released, By: Builder,
		Description: "Solves common IT problems (accounts, VPN, laptops) and files tickets for the rest.",
		Prompt: `You are the IT helpdesk for employees.

Walk people through common fixes (password reset, VPN, SSO, printer, laptop setup) from the
runbooks. For hardware problems or access requests, file an IT ticket with the details IT needs:
device, operating system, what they tried, and their manager for access requests.`,
		Starters: []string{"The VPN keeps disconnecting", "I need access to the finance drive"},
		Tags:     []string{"internal", "production"},
		Tools:    []Tool{kb("Engineering Runbooks", "Security Policies"), with("create_ticket", map[string]any{"projectKey": "IT"})},
	},
	{
		Name: "Recruiting Coordinator", Model: gpt4o, Stage: dev, By: Builder,
		Description: "Schedules interviews, sends confirmations and collects interviewers' feedback.",
		Prompt: `You coordinate interviews for the recruiting team.

Find slots that work for the candidate and the interview panel, book them, and email the
candidate a confirmation with the agenda and the people they will meet. After each interview,
remind interviewers to submit feedback within 24 hours and turn their notes into the scorecard.`,
		Tags:  []string{"people-ops"},
		Tools: []Tool{tool("calendar_create_event"), with("send_email", map[string]any{"allowedDomains": []string{"*"}}), tool("extract_structured_data")},
	},
	{
		Name: "New Hire Buddy", Slug: "new-hire-buddy", Model: sonnet, Stage: released, By: Builder,
		Description: "Guides new employees through their first weeks and answers their questions.",
		Prompt: `You are a friendly buddy for new employees in their first six weeks.

Each morning, remind them of that day's onboarding tasks. Answer questions about how things work
here; pass HR questions to the HR Policy Helper and IT problems to the IT Helpdesk.
Check in at the end of each week and ask what was confusing.`,
		Tags:  []string{"people-ops", "internal"},
		Tools: []Tool{kb("HR Policies", "Engineering Runbooks"), calls("HR Policy Helper", "IT Helpdesk"), tool("schedule_task")},
	},

	// Finance.
	{
		Name: "Invoice Extractor", Slug: "invoice-extractor", Model: gpt41, Stage: dev, By: Builder,
		Description: "Reads supplier invoices and returns their data for accounts payable.",
		Prompt:      invoicePrompt,
		Tags:        []string{"finance"},
		Tools:       []Tool{tool("read_file"), tool("extract_structured_data")},
		History: []Step{
			{By: Builder, Update: &Change{Prompt: invoicePromptV2}},
			{By: Builder, AddTool: &Tool{Name: "run_sql", Config: map[string]any{"connectionId": "erp-replica", "readOnly": true}}},
			{By: Builder, Update: &Change{Prompt: invoicePromptV3, Description: "Reads supplier invoices, checks their totals and matches the supplier for accounts payable."}},
			{By: Admin, Publish: true},
			{By: Admin, Tag: "production"},
		},
	},
	{
		Name: "Expense Policy Checker", Model: haiku, Stage: dev, By: Builder,
		Description: "Checks expense claims and receipts against the expense policy before approval.",
		Prompt: `Check each expense claim against the expense policy in the Finance Handbook:
category limits, receipt required above 25 EUR, no alcohol without a client present,
per-diem rules for travel. Answer "approve", "reject" or "ask", with the policy clause.`,
		Tags:  []string{"finance", "internal"},
		Tools: []Tool{kb("Finance Handbook"), tool("read_file")},
	},
	{
		Name: "Month-end Close Assistant", Model: o3, Stage: dev, By: Builder,
		Description: "Runs the month-end close checklist: reconciliations, accruals and the open invoices.",
		Prompt: `You help the finance team close the month.

Work through the close checklist in order: bank reconciliations, open supplier invoices
(ask the Invoice Extractor for any unprocessed ones), accruals, deferred revenue.
Write the close report as a file and list what still needs a human.`,
		Tags:  []string{"finance"},
		Tools: []Tool{with("run_sql", map[string]any{"connectionId": "erp-replica", "readOnly": true}), tool("write_file"), tool("schedule_task"), calls("Invoice Extractor")},
	},

	// Marketing, security and the rest.
	{
		Name: "Social Media Scheduler", Model: gpt4oMini, Stage: dev, By: Builder,
		Description: "Plans and schedules social posts for product launches.",
		Prompt: `You plan social media posts for launches.

From a launch brief, write posts for LinkedIn and X (one thread at most), suggest an image,
and schedule them over the launch week. Keep our voice: clear, warm, no hype words.`,
		Tools: []Tool{tool("schedule_task"), tool("generate_image")},
	},
	{
		Name: "Localization Reviewer", Slug: "l10n-review", Model: mistral, Stage: released, By: Builder,
		Description: "Reviews product string translations for meaning, tone and length before release.",
		Prompt: `Review translated product strings before each release.

Compare each translation with the English source for meaning, tone (informal "you"), placeholders
and length (at most 30% longer). Propose a fix for each problem; do not rewrite what is fine.`,
		Tags:  []string{"customer-facing"},
		Tools: []Tool{tool("translate_text"), tool("read_file")},
	},
	{
		Name: "Field Ops Planner", Model: geminiFast, Stage: dev, By: Builder,
		Description: "Plans on-site installation visits around the weather forecast.",
		Prompt: `Plan next week's on-site installation visits.

Check the forecast for each site; move outdoor work away from rain and wind above 40 km/h,
then book the visits in the technicians' calendars with the site contact as attendee.`,
		Tags:  []string{"experimental"},
		Tools: []Tool{tool("get_weather"), tool("calendar_create_event")},
	},
	{
		Name: "Security Questionnaire Responder", Slug: "security-questionnaires", Model: sonnet, Stage: released, By: Builder,
		Description: "Fills in customers' security questionnaires from our security policies and past answers.",
		Prompt: `You fill in security questionnaires from prospects and customers.

Answer each question from the Security Policies and Product Docs, quoting the policy. Mark
answers you are not sure of for the security team. Never claim a certification we do not have:
we hold SOC 2 Type II and ISO 27001.`,
		Tags:  []string{"sales", "customer-facing"},
		Tools: []Tool{kb("Security Policies", "Product Docs"), tool("extract_structured_data"), tool("write_file")},
	},
	{
		Name: "Access Review Bot", Model: gpt41, Stage: dev, By: Builder,
		Description: "Runs the quarterly access review: lists who can access what and asks managers to confirm.",
		Prompt: `Run the quarterly access review.

List every employee's access to production systems and finance tools, email each manager the list
for their team, and file a SEC ticket for every access a manager does not confirm within a week.`,
		Tags:  []string{"internal"},
		Tools: []Tool{with("run_sql", map[string]any{"connectionId": "identity-replica", "readOnly": true}), with("send_email", map[string]any{"allowedDomains": []string{"demo.test"}}), with("create_ticket", map[string]any{"projectKey": "SEC"})},
	},
	{
		Name: "Executive Briefing", Slug: "exec-briefing", Model: opus, Stage: dev, By: Builder,
		Description: "A Monday briefing for the leadership team: numbers, risks and the competition.",
		Prompt: `Every Monday, prepare a one-page briefing for the leadership team:

1. Key numbers of last week (ask the SQL Analyst): new revenue, churn, active teams.
2. Accounts at risk (ask the Churn Risk Analyst): the top five and why.
3. Competition (ask the Competitive Intel Digest): what matters for us.

Lead with what needs a decision. No more than 400 words.`,
		Tags:  []string{"internal", "experimental"},
		Tools: []Tool{calls("SQL Analyst", "Churn Risk Analyst", "Competitive Intel Digest"), tool("summarize_document"), tool("anthropic:web_search")},
	},
	{
		Name: "Legacy FAQ Bot", Model: gpt4oMini, Stage: released, By: Builder,
		Description: "The old FAQ bot, replaced by Support Triage.",
		Prompt:      `Answer the customer's question from the FAQ. If the FAQ does not cover it, give the support email address.`,
		Tags:        []string{"support"},
		Tools:       []Tool{kb("Support Playbooks")},
		History:     []Step{{By: Admin, Delete: true}},
	},

	// External agents: their cards are bundled fixtures, stored through the refresh path.
	{
		Name: "Acme Travel Desk", Stage: released, By: Admin,
		Description: "Acme Travel's booking agent (A2A): flights, rail and hotels within our travel policy.",
		Tags:        []string{"internal"},
		External: &External{
			CardURL:        "https://travel-desk.acme-travel.example/.well-known/agent-card.json",
			EndpointURL:    "https://travel-desk.acme-travel.example/a2a/v1",
			RefreshMinutes: 1440,
			Cards:          []string{"travel-desk-2025.json", "travel-desk-2026.json"},
		},
	},
	{
		Name: "Northwind Legal Research", Stage: dev, By: Admin,
		Description: "Northwind Legal's research agent (A2A): case law, contract review and regulatory watch.",
		Tags:        []string{"experimental"},
		External: &External{
			EndpointURL:    "https://agents.northwind-legal.example/research/a2a",
			CardURL:        "https://agents.northwind-legal.example/.well-known/agent-card.json",
			RefreshMinutes: 1440,
			Cards:          []string{"legal-research-2026.json"},
		},
	},
}
