"""The call for sessions: a signed-in person proposes a session for a Gathering's curated programme."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gathering.accounts.decorators import permission_required

from . import selectors, services
from .forms import CfpProposalForm
from .models import Programme


@permission_required()
@require_http_methods(["GET", "HEAD", "POST"])
def propose(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        programme = selectors.programme_get_public(slug=slug)
    except Programme.DoesNotExist:
        raise Http404 from None
    if not programme.cfp_is_open():
        not_yet = programme.cfp_opens_at is not None and programme.cfp_opens_at > timezone.now()
        context = {"programme": programme, "event": programme.event, "not_yet": not_yet}
        return render(request, "programme/cfp_closed.html", context)
    form = CfpProposalForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = services.ProposalInput(
            title=form.cleaned_data["title"],
            description=form.cleaned_data["description"],
            format=form.cleaned_data["format"],
            length=form.cleaned_data["length"],
            expected_size=form.cleaned_data["expected_size"],
            needs=form.cleaned_data["needs"],
        )
        try:
            services.proposal_submit(programme=programme, proposer=request.user, data=data)
        except services.ProgrammeChangeError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request,
                _("Thank you: your proposal is in. The organisers will email you their decision."),
            )
            return redirect("programme:cfp", slug=slug)
    return render(
        request, "programme/cfp.html", {"programme": programme, "event": programme.event, "form": form}
    )
