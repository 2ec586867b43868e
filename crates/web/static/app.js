// Progressive enhancement only: every page works without this file.
// Live word count for textareas with data-word-limit (the server enforces the limit too).
document.querySelectorAll('textarea[data-word-limit]').forEach(function (area) {
  var limit = parseInt(area.getAttribute('data-word-limit'), 10);
  var out = document.getElementById(area.id + '-count');
  if (!out || !limit) { return; }
  function update() {
    var words = area.value.trim() === '' ? 0 : area.value.trim().split(/\s+/).length;
    var left = limit - words;
    out.textContent = left >= 0
      ? 'You have ' + left + ' word' + (left === 1 ? '' : 's') + ' remaining (' + words + ' of ' + limit + ').'
      : 'You have ' + (-left) + ' word' + (left === -1 ? '' : 's') + ' too many (' + words + ' of ' + limit + ').';
    out.classList.toggle('error-message', left < 0);
  }
  area.addEventListener('input', update);
  update();
});
