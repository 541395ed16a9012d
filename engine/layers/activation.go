package layers

import (
	"math"

	"gradsign/engine/matmul"
)

// ActFn names an element-wise nonlinearity other than ReLU: those ONNX models use.
type ActFn uint8

// The nonlinearities.
const (
	// Clip is min(max(x, A), B) (ReLU6: A=0, B=6); its gradient is 1 strictly inside, as
	// PyTorch's hardtanh (ReLU6) has it.
	Clip ActFn = iota
	// LeakyReLU is x for x > 0, A·x otherwise.
	LeakyReLU
	// Sigmoid is 1/(1+exp(-x)).
	Sigmoid
	// HardSigmoid is max(0, min(1, A·x+B)) (PyTorch's Hardsigmoid: A=1/6, B=1/2).
	HardSigmoid
	// HardSwish is x·max(0, min(1, x/6+1/2)), with PyTorch's gradient: 0 below -3, x/3+1/2 up
	// to 3, 1 above.
	HardSwish
	// Affine is A·x + B: a product with, or a sum with, a scalar constant (ONNX's Mul, Div,
	// Add and Sub of one).
	Affine
	// ELU is x for x > 0, A·(exp(x) − 1) otherwise.
	ELU
	// Erf is the error function (the exporters' GELU before opset 20 is x·(1 + erf(x/√2))/2
	// written with it).
	Erf
	// GELU is x·Φ(x), Φ the standard normal distribution function (PyTorch's exact GELU).
	GELU
)

var actNames = [...]string{"clip", "leakyrelu", "sigmoid", "hardsigmoid", "hardswish", "affine", "elu", "erf", "gelu"}

func (f ActFn) String() string {
	if int(f) < len(actNames) {
		return actNames[f]
	}
	return "ActFn(?)"
}

// Activation is a nonlinearity with its parameters.
type Activation struct {
	Fn   ActFn
	A, B float32
}

func sigmoid[T matmul.Float](x T) T { return T(1 / (1 + math.Exp(-float64(x)))) }

// phi is the standard normal density, in float64.
func phi(x float64) float64 { return math.Exp(-x*x/2) / math.Sqrt(2*math.Pi) }

// ActivationForward is out = f(inp).
func ActivationForward[T matmul.Float](f Activation, out, inp []T) {
	a, b := T(f.A), T(f.B)
	for i, x := range inp[:len(out)] {
		switch f.Fn {
		case Clip:
			x = min(max(x, a), b)
		case LeakyReLU:
			if x <= 0 {
				x *= a
			}
		case Sigmoid:
			x = sigmoid(x)
		case HardSigmoid:
			x = min(max(a*x+b, 0), 1)
		case HardSwish:
			x *= min(max(x/6+0.5, 0), 1)
		case Affine:
			x = a*x + b
		case ELU:
			if x <= 0 {
				x = T(float64(a) * math.Expm1(float64(x)))
			}
		case Erf:
			x = T(math.Erf(float64(x)))
		case GELU:
			x = T(float64(x) * (1 + math.Erf(float64(x)/math.Sqrt2)) / 2)
		}
		out[i] = x
	}
}

// ActivationBackward adds dout·f'(inp) to dinp.
func ActivationBackward[T matmul.Float](f Activation, dinp, dout, inp []T) {
	a, b := T(f.A), T(f.B)
	for i, x := range inp[:len(dinp)] {
		var d T
		switch f.Fn {
		case Clip:
			if x > a && x < b {
				d = 1
			}
		case LeakyReLU:
			d = a
			if x > 0 {
				d = 1
			}
		case Sigmoid:
			s := sigmoid(x)
			d = s * (1 - s)
		case HardSigmoid:
			if y := a*x + b; y > 0 && y < 1 {
				d = a
			}
		case HardSwish:
			switch {
			case x < -3:
			case x <= 3:
				d = x/3 + 0.5
			default:
				d = 1
			}
		case Affine:
			d = a
		case ELU:
			d = 1
			if x <= 0 {
				d = T(float64(a) * math.Exp(float64(x)))
			}
		case Erf:
			d = T(2 / math.SqrtPi * math.Exp(-float64(x)*float64(x)))
		case GELU:
			v := float64(x)
			d = T((1+math.Erf(v/math.Sqrt2))/2 + v*phi(v))
		}
		dinp[i] += dout[i] * d
	}
}

// ActivationCurvature adds dout·f”(inp)·xdot to dinp: the term of a tangent of the backward
// pass that the piecewise-linear functions lack (GraSP's Hessian-vector products).
func ActivationCurvature[T matmul.Float](f Activation, dinp, dout, xdot, inp []T) {
	for i, x := range inp[:len(dinp)] {
		var d2 T
		switch f.Fn {
		case Sigmoid:
			s := sigmoid(x)
			d2 = s * (1 - s) * (1 - 2*s)
		case HardSwish:
			if x > -3 && x < 3 {
				d2 = T(1) / 3
			}
		case ELU:
			if x <= 0 {
				d2 = T(f.A) * T(math.Exp(float64(x)))
			}
		case Erf:
			d2 = T(-4 / math.SqrtPi * float64(x) * math.Exp(-float64(x)*float64(x)))
		case GELU:
			d2 = T((2 - float64(x)*float64(x)) * phi(float64(x)))
		default:
			return
		}
		dinp[i] += dout[i] * d2 * xdot[i]
	}
}
