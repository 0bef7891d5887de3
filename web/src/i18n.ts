// The UI's two languages. Every visible string goes through t(), so a new
// string without its translation fails the type check (`satisfies`).

export type Locale = "pt-BR" | "en";
export const LOCALES: readonly Locale[] = ["pt-BR", "en"];
const STORAGE_KEY = "arca.locale";

const en = {
  "app.title": "Arca",
  "lang.label": "Language",
  "skip": "Skip to content",
  "login.heading": "Sign in",
  "login.username": "Username",
  "login.password": "Password",
  "login.submit": "Sign in",
  "login.busy": "Signing in…",
  "login.expired": "Your session has ended. Please sign in again.",
  "logout": "Sign out",
  "signed_in_as": "Signed in as {user}",
  "upload.heading": "Upload files",
  "upload.pick": "Choose files to upload",
  "upload.drop": "…or drop files here",
  "upload.folder": "Folder for new files (optional)",
  "upload.cancel": "Cancel upload of {name}",
  "upload.cancel.short": "Cancel",
  "upload.dismiss": "Dismiss {name}",
  "upload.state.queued": "Waiting…",
  "upload.state.sending": "Sending",
  "upload.state.received": "Received! I'm on it",
  "upload.state.ready": "Ready",
  "upload.state.failed": "Failed",
  "upload.state.cancelled": "Cancelled",
  "upload.progress": "{sent} of {total} ({percent}%)",
  "files.heading": "Files",
  "files.empty": "No files match.",
  "files.loading": "Loading…",
  "files.more": "Load more",
  "files.count": "Showing {count}",
  "col.name": "Name",
  "col.type": "Type",
  "col.size": "Size",
  "col.date": "Uploaded",
  "col.status": "Review",
  "col.state": "State",
  "col.folder": "Folder",
  "col.actions": "Actions",
  "filter.heading": "Search and filters",
  "filter.q": "Search",
  "filter.type": "Type",
  "filter.type.any": "Any type",
  "filter.type.pdf": "PDF",
  "filter.type.image": "Images",
  "filter.type.text": "Text",
  "filter.type.video": "Video",
  "filter.type.audio": "Audio",
  "filter.after": "Uploaded from",
  "filter.before": "Uploaded until",
  "filter.status": "Review status",
  "filter.status.any": "Any status",
  "filter.folder": "Folder",
  "filter.sort": "Sort by",
  "filter.order": "Order",
  "filter.apply": "Apply",
  "filter.clear": "Clear filters",
  "sort.created_at": "Date",
  "sort.name": "Name",
  "sort.size": "Size",
  "order.asc": "Ascending",
  "order.desc": "Descending",
  "status.pending": "Pending",
  "status.approved": "Approved",
  "status.rejected": "Rejected",
  "state.pending": "Pending",
  "state.ready": "Ready",
  "state.processing": "Processing",
  "state.deleting": "Deleting",
  "state.missing": "Missing",
  "state.quarantined": "Quarantined",
  "folder.root": "(root)",
  "action.download": "Download {name}",
  "action.rename": "Rename {name}",
  "action.edit": "Edit details of {name}",
  "action.delete": "Delete {name}",
  "action.download.short": "Download",
  "action.rename.short": "Rename",
  "action.edit.short": "Details",
  "action.delete.short": "Delete",
  "rename.label": "New name for {name}",
  "rename.save": "Save",
  "rename.cancel": "Cancel",
  "rename.accepted": "Rename accepted; it will show shortly.",
  "edit.heading": "Details of {name}",
  "edit.description": "Description",
  "edit.tags": "Tags (comma separated)",
  "edit.status": "Review status",
  "edit.save": "Save",
  "edit.cancel": "Cancel",
  "edit.saved": "Saved.",
  "delete.heading": "Delete file?",
  "delete.question": "Delete “{name}”? This cannot be undone.",
  "delete.confirm": "Delete",
  "delete.cancel": "Keep it",
  "delete.done": "“{name}” deleted.",
  "error.network": "Could not reach the server. Check your connection and try again.",
  "error.invalid_credentials": "Wrong username or password.",
  "error.upload_too_large": "The file is larger than the server allows.",
  "error.payload_too_large": "The file is larger than the server allows.",
  "error.body_too_large": "The request is too large.",
  "error.file_not_found": "This file no longer exists.",
  "error.name_taken": "Another file in this folder already has that name.",
  "error.invalid_name": "That name is not allowed (no “/”, no control characters, at most 255 bytes).",
  "error.invalid_tags": "Tags: at most 50, each up to 64 bytes, without commas.",
  "error.invalid_folder": "That folder name is not allowed.",
  "error.invalid_description": "The description is too long.",
  "error.invalid_parameter": "A filter value is not valid: {detail}",
  "error.broker_unavailable": "The server is busy; try again in a moment.",
  "error.database_unavailable": "The server is busy; try again in a moment.",
  "error.file_unavailable": "This file cannot be downloaded right now.",
  "error.unknown": "Error {status}: {detail}",
} as const;

type Key = keyof typeof en;

const ptBR = {
  "app.title": "Arca",
  "lang.label": "Idioma",
  "skip": "Pular para o conteúdo",
  "login.heading": "Entrar",
  "login.username": "Usuário",
  "login.password": "Senha",
  "login.submit": "Entrar",
  "login.busy": "Entrando…",
  "login.expired": "Sua sessão terminou. Entre novamente.",
  "logout": "Sair",
  "signed_in_as": "Conectado como {user}",
  "upload.heading": "Enviar arquivos",
  "upload.pick": "Escolha arquivos para enviar",
  "upload.drop": "…ou solte os arquivos aqui",
  "upload.folder": "Pasta para os novos arquivos (opcional)",
  "upload.cancel": "Cancelar envio de {name}",
  "upload.cancel.short": "Cancelar",
  "upload.dismiss": "Dispensar {name}",
  "upload.state.queued": "Aguardando…",
  "upload.state.sending": "Enviando",
  "upload.state.received": "Recebido! Já estou cuidando disso",
  "upload.state.ready": "Pronto",
  "upload.state.failed": "Falhou",
  "upload.state.cancelled": "Cancelado",
  "upload.progress": "{sent} de {total} ({percent}%)",
  "files.heading": "Arquivos",
  "files.empty": "Nenhum arquivo encontrado.",
  "files.loading": "Carregando…",
  "files.more": "Carregar mais",
  "files.count": "Exibindo {count}",
  "col.name": "Nome",
  "col.type": "Tipo",
  "col.size": "Tamanho",
  "col.date": "Enviado em",
  "col.status": "Revisão",
  "col.state": "Estado",
  "col.folder": "Pasta",
  "col.actions": "Ações",
  "filter.heading": "Busca e filtros",
  "filter.q": "Buscar",
  "filter.type": "Tipo",
  "filter.type.any": "Qualquer tipo",
  "filter.type.pdf": "PDF",
  "filter.type.image": "Imagens",
  "filter.type.text": "Texto",
  "filter.type.video": "Vídeo",
  "filter.type.audio": "Áudio",
  "filter.after": "Enviado a partir de",
  "filter.before": "Enviado até",
  "filter.status": "Status de revisão",
  "filter.status.any": "Qualquer status",
  "filter.folder": "Pasta",
  "filter.sort": "Ordenar por",
  "filter.order": "Ordem",
  "filter.apply": "Aplicar",
  "filter.clear": "Limpar filtros",
  "sort.created_at": "Data",
  "sort.name": "Nome",
  "sort.size": "Tamanho",
  "order.asc": "Crescente",
  "order.desc": "Decrescente",
  "status.pending": "Pendente",
  "status.approved": "Aprovado",
  "status.rejected": "Rejeitado",
  "state.pending": "Pendente",
  "state.ready": "Pronto",
  "state.processing": "Processando",
  "state.deleting": "Excluindo",
  "state.missing": "Ausente",
  "state.quarantined": "Em quarentena",
  "folder.root": "(raiz)",
  "action.download": "Baixar {name}",
  "action.rename": "Renomear {name}",
  "action.edit": "Editar detalhes de {name}",
  "action.delete": "Excluir {name}",
  "action.download.short": "Baixar",
  "action.rename.short": "Renomear",
  "action.edit.short": "Detalhes",
  "action.delete.short": "Excluir",
  "rename.label": "Novo nome para {name}",
  "rename.save": "Salvar",
  "rename.cancel": "Cancelar",
  "rename.accepted": "Renomeação aceita; aparece em instantes.",
  "edit.heading": "Detalhes de {name}",
  "edit.description": "Descrição",
  "edit.tags": "Etiquetas (separadas por vírgula)",
  "edit.status": "Status de revisão",
  "edit.save": "Salvar",
  "edit.cancel": "Cancelar",
  "edit.saved": "Salvo.",
  "delete.heading": "Excluir arquivo?",
  "delete.question": "Excluir “{name}”? Não é possível desfazer.",
  "delete.confirm": "Excluir",
  "delete.cancel": "Manter",
  "delete.done": "“{name}” excluído.",
  "error.network": "Não foi possível falar com o servidor. Verifique a conexão e tente de novo.",
  "error.invalid_credentials": "Usuário ou senha incorretos.",
  "error.upload_too_large": "O arquivo é maior do que o servidor permite.",
  "error.payload_too_large": "O arquivo é maior do que o servidor permite.",
  "error.body_too_large": "A requisição é grande demais.",
  "error.file_not_found": "Este arquivo não existe mais.",
  "error.name_taken": "Já existe outro arquivo com esse nome nesta pasta.",
  "error.invalid_name": "Esse nome não é permitido (sem “/”, sem caracteres de controle, até 255 bytes).",
  "error.invalid_tags": "Etiquetas: no máximo 50, cada uma com até 64 bytes, sem vírgulas.",
  "error.invalid_folder": "Esse nome de pasta não é permitido.",
  "error.invalid_description": "A descrição é longa demais.",
  "error.invalid_parameter": "Um valor de filtro não é válido: {detail}",
  "error.broker_unavailable": "O servidor está ocupado; tente de novo em instantes.",
  "error.database_unavailable": "O servidor está ocupado; tente de novo em instantes.",
  "error.file_unavailable": "Este arquivo não pode ser baixado agora.",
  "error.unknown": "Erro {status}: {detail}",
} satisfies Record<Key, string>;

export type MessageKey = Key;
export const CATALOGS: Readonly<Record<Locale, Readonly<Record<Key, string>>>> = { en, "pt-BR": ptBR };

export function hasMessage(key: string): key is MessageKey {
  return key in en;
}

// A stored explicit choice wins; then the browser's languages in order of
// preference; English for anything else.
export function chooseLocale(stored: string | null, languages: readonly string[]): Locale {
  if (stored && (LOCALES as readonly string[]).includes(stored)) return stored as Locale;
  for (const lang of languages) {
    const l = lang.toLowerCase();
    if (l === "pt" || l.startsWith("pt-")) return "pt-BR";
    if (l === "en" || l.startsWith("en-")) return "en";
  }
  return "en";
}

export function translate(locale: Locale, key: MessageKey, vars: Record<string, string | number> = {}): string {
  return CATALOGS[locale][key].replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

let current: Locale = "en";
export const t: Translate = (key, vars) => translate(current, key, vars);
export function locale(): Locale {
  return current;
}
export function setLocale(l: Locale, remember: boolean): void {
  current = l;
  document.documentElement.lang = l;
  if (remember) {
    try {
      localStorage.setItem(STORAGE_KEY, l);
    } catch {
      /* storage off: the choice lasts for this page only */
    }
  }
}
export function initialLocale(): Locale {
  let stored: string | null = null;
  try {
    stored = localStorage.getItem(STORAGE_KEY);
  } catch {
    stored = null;
  }
  return chooseLocale(stored, navigator.languages ?? [navigator.language]);
}
