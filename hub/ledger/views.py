"""The ledger's API and its plain-text endpoints. The latest checkpoint and
consistency proofs are public (they reveal only sizes and hashes), so any
partner, auditor or neighbouring hub can hold the hub to its history;
inclusion proofs are for auditors. The witness endpoints speak C2SP
tlog-witness: text in, signature lines or a status with a reason out."""
from flask import Blueprint as PageBlueprint, Response, abort, render_template, request
from flask.views import MethodView
from flask_login import current_user, login_required
from flask_smorest import Blueprint
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional

from hub import paging
from hub.errors import HubError
from hub.extensions import db
from hub.identity.auth import scope_required
from hub.ledger import actions, browse, signing, tree, witness
from hub.ledger.schemas import CheckpointSchema, ConsistencyArgs, ConsistencySchema, ProofArgs, ProofSchema

api_blp = Blueprint("ledger_api", __name__, url_prefix="/api/v1/ledger",
                    description="The tamper-evident audit ledger")
pages = PageBlueprint("ledger", __name__, template_folder="templates")
NOTE_TYPE = "text/plain; charset=utf-8"


def signed_body(view):
    """The request's authority is the signature it carries, not a browser
    session, so cross-site forgery has nothing to borrow: no CSRF token."""
    view.signed_body = True
    return view


@api_blp.route("/checkpoints/latest")
class LatestCheckpoint(MethodView):
    @api_blp.response(200, CheckpointSchema)
    def get(self):
        """The latest signed checkpoint (its note, with any witness
        cosignatures) and the keys that verify it."""
        return {**tree.checkpoint_document(tree.latest_checkpoint()),
                "verifier_keys": [k.vkey for k in signing.verifier_keys()]}


@api_blp.route("/checkpoints/<int:tree_size>")
class CheckpointAtSize(MethodView):
    @api_blp.response(200, CheckpointSchema)
    def get(self, tree_size: int):
        """The checkpoint the hub signed at this tree size, if it signed one."""
        return tree.checkpoint_document(tree.checkpoint_at(tree_size))


@api_blp.route("/consistency")
class Consistency(MethodView):
    @api_blp.arguments(ConsistencyArgs, location="query")
    @api_blp.response(200, ConsistencySchema)
    def get(self, args):
        """RFC 6962 consistency proof between two tree sizes (`to` defaults to
        the latest checkpoint); check it with `verifier.py consistency`."""
        return tree.consistency_proof(args["first"], args.get("second"))


@api_blp.route("/entries/<bigint:entry_id>/proof")
class EntryProof(MethodView):
    @api_blp.arguments(ProofArgs, location="query")
    @api_blp.response(200, ProofSchema)
    @scope_required("ledger:read")
    def get(self, args, entry_id: int):
        """RFC 6962 inclusion proof of an entry in the tree of `size` entries
        (default: the latest checkpoint), with the consistency path from that
        tree to the latest signed checkpoint; check it offline with
        `hub/ledger/verifier.py`."""
        return tree.inclusion_proof(entry_id, args.get("size"))


@pages.route("/ledger/checkpoint")
def checkpoint_note():
    """The latest checkpoint as a C2SP signed note, cosignatures included."""
    return Response(tree.served_note(tree.latest_checkpoint()), mimetype=NOTE_TYPE)


@pages.route("/ledger/witness/add-checkpoint", methods=["POST"])
@signed_body
def add_checkpoint():
    """tlog-witness add-checkpoint: this hub cosigns a log it follows."""
    line = witness.add_checkpoint(request.get_data(as_text=True))
    db.session.commit()
    return Response(line, mimetype=NOTE_TYPE)


@pages.route("/ledger/cosignatures", methods=["POST"])
@signed_body
def cosignatures():
    """A witness hands back its cosignature on one of this log's checkpoints."""
    added = witness.accept_cosignatures(request.get_data(as_text=True))
    db.session.commit()
    return Response(f"{added} cosignature(s) added\n", mimetype=NOTE_TYPE)


@pages.errorhandler(witness.WitnessRefused)
def witness_refused(error: witness.WitnessRefused):
    db.session.rollback()
    if error.size is not None:
        return Response(f"{error.size}\n", status=error.status, mimetype=witness.SIZE_MEDIA_TYPE)
    return Response(error.message + "\n", status=error.status, mimetype=NOTE_TYPE)


class LedgerFilterForm(FlaskForm):
    class Meta:
        csrf = False

    action = SelectField("What", choices=[("", "Anything"), *actions.choices()], validate_choice=True,
                         validators=[Optional()])
    actor = StringField("Who", validators=[Optional(), Length(max=200)])
    since = DateField("From", validators=[Optional()])
    until = DateField("To", validators=[Optional()])


@pages.route("/ledger", methods=["GET", "POST"])
@login_required
def browse_page():
    """The auditor's ledger: entries, filters, the checkpoint, verification."""
    form = LedgerFilterForm(request.args)
    problems = None
    if request.method == "POST":
        FlaskForm().validate_on_submit() or abort(400)
        problems = browse.verify(current_user)
    if not form.validate():
        return render_template("ledger/browse.html", form=form, page=None, problems=problems,
                               checkpoint=None, actions=actions), 422
    page = browse.entries(current_user, browse.LedgerFilters(
        action=form.action.data or None, actor=form.actor.data or None, since=form.since.data,
        until=form.until.data), paging.page_request(request.args, browse.SORTS, default_sort="id"))
    try:
        checkpoint = tree.latest_checkpoint()
    except HubError:
        checkpoint = None
    return render_template("ledger/browse.html", form=form, page=page, problems=problems, checkpoint=checkpoint,
                           actions=actions)
