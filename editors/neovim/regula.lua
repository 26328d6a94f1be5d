-- regula for Neovim (0.10+): the .policy file type and `regula lsp`.
-- Put this file in your runtime path (e.g. ~/.config/nvim/plugin/) or
-- `:luafile` it; highlighting comes from the language server's diagnostics
-- and from editors/vscode/syntaxes/regula.tmLanguage.json in editors that
-- read TextMate grammars.
vim.filetype.add({ extension = { policy = "regula" } })

vim.api.nvim_create_autocmd("FileType", {
  pattern = "regula",
  callback = function(args)
    vim.bo[args.buf].commentstring = "// %s"
    vim.lsp.start({
      name = "regula",
      cmd = { "regula", "lsp" },
      root_dir = vim.fs.dirname(vim.api.nvim_buf_get_name(args.buf)),
    })
  end,
})
