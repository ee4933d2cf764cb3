// A code migration: for changes that are easier to write in JavaScript than in SQL.
export async function up({ query }) {
  await query('INSERT INTO users (email) VALUES (?)', ['welcome@example.com'])
  const [user] = await query('SELECT id FROM users WHERE email = ?', ['welcome@example.com'])
  await query('INSERT INTO notes (user_id, body) VALUES (?, ?)', [user.id, 'Welcome to mig.'])
}

export async function down({ query }) {
  // Migrations run with foreign keys off (so that a table rebuild cannot cascade), so ON DELETE
  // CASCADE does not fire here: the note goes first, explicitly.
  await query('DELETE FROM notes WHERE user_id IN (SELECT id FROM users WHERE email = ?)', ['welcome@example.com'])
  await query('DELETE FROM users WHERE email = ?', ['welcome@example.com'])
}
