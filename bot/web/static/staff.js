// motcua staff console: small progressive enhancement only; every page works without it.
// A form with data-confirm asks before it is sent (removing an account, closing a case).
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form && form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
